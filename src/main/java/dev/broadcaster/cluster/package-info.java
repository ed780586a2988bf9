/**
 * Clustering: the {@link dev.broadcaster.cluster.ClusterEngine} interface that lets several servers act as
 * one broadcaster, with one sub-package per engine ({@code redis}). Off by default.
 */
package dev.broadcaster.cluster;
