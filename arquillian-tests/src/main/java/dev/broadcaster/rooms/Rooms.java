package dev.broadcaster.rooms;

import dev.broadcaster.ChannelRegistry;
import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.SseEvent;
import dev.broadcaster.datastar.PatchElements;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rooms: one broadcaster channel each, named after the room. Renders a room's presence ({@link ChatHtml}) for
 * the Datastar page (patch-elements) and the htmx pages (an unnamed event, out of band), and counts its messages.
 */
@ApplicationScoped
public class Rooms {

    /** Rooms that exist from the start; any other valid channel name is a room too. */
    public static final List<String> KNOWN = List.of("lobby", "kitchen", "garden");

    @Inject
    ChannelRegistry registry;

    /** How many rooms besides {@link #KNOWN} keep a message count; the least recently posted-to is dropped first. */
    static final int MAX_COUNTED_ROOMS = 1000;

    private final Map<String, AtomicLong> knownCounts = new ConcurrentHashMap<>();
    /** The other rooms' counts, bounded: any user can post into any room name. Guarded by itself. */
    private final Map<String, AtomicLong> otherCounts = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AtomicLong> eldest) {
            return size() > MAX_COUNTED_ROOMS;
        }
    };

    void createKnownRooms(@Observes @Initialized(ApplicationScoped.class) Object start) {
        KNOWN.forEach(room -> registry.create(room, presence()));
    }

    /** The channel of {@code user}'s notifications ({@code private-<user>}: for that user alone, see RoomAuthorizer). */
    public static String notifications(String user) {
        return "private-" + user;
    }

    /**
     * Renders who is online: for the htmx pages (2 and 4) an unnamed event whose list replaces {@code #presence} out
     * of band, and the Datastar patch, sent together as one presence render (without ids, outside the room's history;
     * a tab that joins later gets them once).
     */
    public PresenceRenderer presence() {
        return (room, users) -> {
            String html = ChatHtml.presenceList(users);
            return PresenceRenderer.events(SseEvent.data(html.replace("<ul id=\"presence\">",
                    "<ul id=\"presence\" hx-swap-oob=\"true\">")), PatchElements.of(html));
        };
    }

    /** Counts a message posted in {@code room} (which must be valid and the poster a member); see {@link Counted}. */
    public Counted countMessage(String room) {
        AtomicLong counter;
        if (KNOWN.contains(room)) {
            counter = knownCounts.computeIfAbsent(room, r -> new AtomicLong());
        } else {
            synchronized (otherCounts) {
                counter = otherCounts.computeIfAbsent(room, r -> new AtomicLong());
            }
        }
        return new Counted(counter, counter.incrementAndGet());
    }

    public long messageCount(String room) {
        AtomicLong count;
        if (KNOWN.contains(room)) {
            count = knownCounts.get(room);
        } else {
            synchronized (otherCounts) {
                count = otherCounts.get(room);
            }
        }
        return count == null ? 0 : count.get();
    }

    /** A message counted: the room's new total, which {@link #takeBack} undoes if the post did not happen. */
    public record Counted(AtomicLong counter, long count) {

        /** Takes the count back, unless another message was counted since (then the total stays one high). */
        public void takeBack() {
            counter.compareAndSet(count, count - 1);
        }
    }
}
