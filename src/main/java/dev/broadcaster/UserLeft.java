package dev.broadcaster;

/** CDI event fired when the last connection of {@code user} to {@code channel} has closed. */
public record UserLeft(String channel, String user) {
}
