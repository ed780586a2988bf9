package dev.broadcaster;

/**
 * CDI event fired when {@code user} opens their first connection to {@code channel}
 * (a second tab of the same user does not fire it again).
 */
public record UserJoined(String channel, String user) {
}
