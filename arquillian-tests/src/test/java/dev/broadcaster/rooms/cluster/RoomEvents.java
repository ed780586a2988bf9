package dev.broadcaster.rooms.cluster;

import dev.broadcaster.support.EventStreamParser.Event;
import dev.broadcaster.support.SseStream;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a room's stream ({@code rooms/{room}/events}) carries, as its pages read it: per posted message an unnamed
 * htmx event ({@code message} to an EventSource), a Datastar {@code datastar-patch-elements} (the line) and a
 * {@code datastar-patch-signals} (the count), each with an id; per presence render an unnamed htmx event replacing
 * {@code #presence} out of band and a Datastar patch of {@code <ul id="presence">}, without ids.
 */
final class RoomEvents {

    /** The events one post makes. */
    static final int PER_POST = 3;

    private static final Pattern USER = Pattern.compile("<li data-initial=\"[^\"]*\">([^<]*)</li>");
    private static final Pattern POSTED = Pattern.compile(
            "<li data-initial=\"[^\"]*\" data-time=\"\\d\\d:\\d\\d\"><span class=\"author\">[^<]*</span>: ([^<]*)</li>");

    private RoomEvents() {
    }

    /** A presence render (htmx or Datastar), not a posted message. */
    static boolean isPresence(Event event) {
        return isHtmxPresence(event)
                || event.type().equals("datastar-patch-elements") && event.data().contains("<ul id=\"presence\">");
    }

    /** The htmx pages' presence render: an unnamed event replacing {@code #presence} out of band. */
    static boolean isHtmxPresence(Event event) {
        return event.type().equals("message") && event.data().startsWith("<ul id=\"presence\" hx-swap-oob=\"true\">");
    }

    /** The htmx event of a posted message (unnamed: {@code message} to an EventSource, as presence renders are). */
    static boolean isPostedHtmx(Event event) {
        return event.type().equals("message") && !isHtmxPresence(event);
    }

    /** The events of posted messages the stream received so far, in order. */
    static List<Event> posted(SseStream stream) {
        return stream.events().stream().filter(e -> !isPresence(e)).toList();
    }

    /** The users a presence render lists, sorted. */
    static TreeSet<String> users(Event presence) {
        TreeSet<String> users = new TreeSet<>();
        Matcher matcher = USER.matcher(presence.data());
        while (matcher.find()) {
            users.add(matcher.group(1));
        }
        return users;
    }

    /**
     * The text of the message a {@code message} event carries
     * ({@code <li data-initial data-time><span class="author">alice</span>: text</li>...}).
     */
    static String text(Event message) {
        Matcher matcher = POSTED.matcher(message.data());
        if (!matcher.find()) {
            throw new AssertionError("not a posted message: " + message);
        }
        return matcher.group(1);
    }

    /** The texts of the {@code message} events among {@code events}, in order. */
    static List<String> texts(List<Event> events) {
        return events.stream().filter(RoomEvents::isPostedHtmx).map(RoomEvents::text).toList();
    }
}
