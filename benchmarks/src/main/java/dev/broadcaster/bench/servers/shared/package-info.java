/**
 * The publish and naive-broadcast code shared by the in-process servers and the Open Liberty WAR
 * ({@code benchmarks/liberty} compiles this folder into the WAR too): it may use only the Jakarta EE APIs and
 * the library, never Jersey, Grizzly, Weld or SmallRye.
 */
package dev.broadcaster.bench.servers.shared;
