package dev.broadcaster.rooms;

import dev.broadcaster.ChannelRegistry;
import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.SseEvent;
import dev.broadcaster.datastar.PatchElements;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rooms: one broadcaster channel each, named after the room. Knows how a room's presence and
 * messages look, for the Datastar page (patch-elements, patch-signals) and the htmx page (named events).
 */
@ApplicationScoped
public class Rooms {

    /** Rooms that exist from the start; any other valid channel name is a room too. */
    public static final List<String> KNOWN = List.of("lobby", "kitchen", "garden");

    @Inject
    ChannelRegistry registry;

    private final Map<String, AtomicLong> messageCounts = new ConcurrentHashMap<>();

    void createKnownRooms(@Observes @Initialized(ApplicationScoped.class) Object start) {
        KNOWN.forEach(room -> registry.create(room, presence()));
    }

    /**
     * Renders who is online: the htmx page's {@code presence} event and the Datastar patch, sent together as
     * one presence render (without ids, outside the room's history; a tab that joins later gets them once).
     */
    public PresenceRenderer presence() {
        return (room, users) -> {
            String html = presenceHtml(users);
            return PresenceRenderer.events(SseEvent.named("presence", html), PatchElements.of(html));
        };
    }

    static String presenceHtml(List<String> users) {
        StringBuilder html = new StringBuilder("<ul id=\"presence\">");
        users.forEach(user -> html.append("<li>").append(Html.escape(user)).append("</li>"));
        return html.append("</ul>").toString();
    }

    /** Counts a message posted in {@code room}; returns the room's new total. */
    public long countMessage(String room) {
        return messageCounts.computeIfAbsent(room, r -> new AtomicLong()).incrementAndGet();
    }

    public long messageCount(String room) {
        AtomicLong count = messageCounts.get(room);
        return count == null ? 0 : count.get();
    }
}
