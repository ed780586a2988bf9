package dev.broadcaster;

/** A channel as listed: its name, open connections and distinct users. */
public record ChannelInfo(String name, int connections, int users) {
}
