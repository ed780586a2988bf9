package dev.broadcaster.rooms;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The HTML fragments a room's streams carry: a message line and the presence list. The text of each item is exactly
 * what a user reads ({@code alice: hello}, {@code alice}); what the stylesheet draws around it (the avatar's
 * initial, the time) rides in attributes. Everything user-controlled is escaped.
 */
final class ChatHtml {

    /** The time a line shows: the server's clock, hours and minutes in UTC. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    private ChatHtml() {
    }

    /** {@code <li data-initial data-time><span class="author">user</span>: text</li>}, posted at {@code at}. */
    static String messageLine(String user, String text, Instant at) {
        return "<li" + initial(user) + " data-time=\"" + TIME.format(at) + "\"><span class=\"author\">"
                + Html.escape(user) + "</span>: " + Html.escape(text) + "</li>";
    }

    /** {@code <ul id="presence">} with one {@code <li data-initial>user</li>} per user, in the given order. */
    static String presenceList(List<String> users) {
        StringBuilder html = new StringBuilder("<ul id=\"presence\">");
        users.forEach(user -> html.append("<li").append(initial(user)).append('>').append(Html.escape(user))
                .append("</li>"));
        return html.append("</ul>").toString();
    }

    /** The {@code data-initial} attribute: the user's first character, upper case ({@code ?} for an empty name). */
    static String initial(String user) {
        String initial = user.isEmpty() ? "?"
                : new String(Character.toChars(user.codePointAt(0))).toUpperCase(Locale.ROOT);
        return " data-initial=\"" + Html.escape(initial) + "\"";
    }
}
