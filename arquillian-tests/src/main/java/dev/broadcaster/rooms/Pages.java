package dev.broadcaster.rooms;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The HTML of the example's pages: plain strings, no template engine. */
final class Pages {

    /** No registry serves the Datastar v1 bundle, so the Datastar page loads it from its CDN. */
    static final String DATASTAR_JS = "https://cdn.jsdelivr.net/gh/starfederation/datastar@1.0.2/bundles/datastar.js";

    /**
     * The htmx pages' script that reloads the page after a resync of its room (its events were missed, or this tab
     * was removed from it), after a second or two (jittered, so a room's tabs do not all come at once); the
     * notifications channel's resync is ignored: notifications are not state. The room is the {@code data-room}
     * attribute's.
     */
    private static final String RELOAD_ON_ROOM_RESYNC = "document.addEventListener('htmx:sseOpen', function (e) {"
            + " var source = e.detail && e.detail.source;"
            + " if (!source || source.resyncWatched) { return; } source.resyncWatched = true;"
            + " source.addEventListener('resync', function (event) {"
            + " var room = document.querySelector('[data-room]').dataset.room;"
            + " if (JSON.parse(event.data).channel === room) {"
            + " setTimeout(function () { location.reload(); }, 1000 + Math.random() * 1000); } }); });";

    private Pages() {
    }

    static String index(String contextPath, String user) {
        StringBuilder rooms = new StringBuilder();
        for (String room : Rooms.KNOWN) {
            String base = contextPath + "/rooms/" + room;
            rooms.append("<li><span class=\"room-name\">").append(room).append("</span><a href=\"").append(base)
                    .append("\">Datastar</a><a href=\"").append(base).append("/htmx\">htmx</a><a href=\"")
                    .append(base).append("/shared\">htmx, one connection for all tabs</a><a href=\"").append(base)
                    .append("/htmx4\">htmx 4</a></li>");
        }
        return page(contextPath, "Rooms", "", "<main class=\"index\"><header class=\"topbar\"><h1>Rooms</h1>"
                + signedIn(user) + "</header><ul class=\"rooms\">" + rooms + "</ul></main>");
    }

    /**
     * The Datastar page: one {@code @get} opens the room's stream; the form posts the {@code text} signal. No
     * text of the request is ever put into an expression: the expressions are constants that read the URLs from
     * plain {@code data-*-url} attributes ({@code el} is the element an expression is on), which are HTML-escaped
     * like any attribute value.
     */
    static String datastarRoom(String contextPath, String room, String user, long count, String position) {
        String base = contextPath + "/rooms/" + room;
        String events = base + "/stream?lastEventId=" + URLEncoder.encode(position, StandardCharsets.UTF_8);
        return page(contextPath, "Room " + Html.escape(room) + " (Datastar)",
                "<script type=\"module\" src=\"" + DATASTAR_JS + "\"></script>",
                "<main class=\"chat\" data-signals='{\"text\": \"\", \"count\": " + count + "}'>"
                        + topbar(room, "Datastar", user,
                                "<span id=\"count\" data-text=\"$count\">" + count + "</span>")
                        + "<div class=\"stream\" data-events-url=\"" + Html.escape(events) + "\""
                        + " data-init=\"@get(el.dataset.eventsUrl)\"></div>"
                        + sidebar(contextPath, room, "<ul id=\"notifications\"></ul>")
                        + "<section class=\"conversation\"><h2 class=\"hidden\">Messages</h2><ul id=\"messages\"></ul>"
                        + "<form data-messages-url=\"" + Html.escape(base + "/messages") + "\""
                        + " data-on:submit__prevent=\"@post(el.dataset.messagesUrl); $text = ''\">"
                        + "<input data-bind:text placeholder=\"Say something\" autocomplete=\"off\">"
                        + "<button>Send</button></form></section></main>");
    }

    /**
     * The htmx page: the SSE extension swaps named events; the counter comes out of band with each message. Its
     * one inline script is a constant: it reads the stream's URL from the {@code data-events-url} attribute.
     */
    static String htmxRoom(String contextPath, String room, String user, long count, String position) {
        String base = contextPath + "/rooms/" + room;
        String events = Html.escape(base + "/stream");
        String eventsFromPosition = Html.escape(base + "/stream?lastEventId="
                + URLEncoder.encode(position, StandardCharsets.UTF_8));
        return page(contextPath, "Room " + Html.escape(room) + " (htmx)",
                htmxScripts(contextPath),
                "<main class=\"chat\" hx-ext=\"sse\" sse-connect=\"" + eventsFromPosition + "\""
                        + " data-events-url=\"" + events + "\" data-room=\"" + Html.escape(room) + "\">"
                        + htmxTopbar(room, "htmx 2", user, count)
                        + sidebar(contextPath, room,
                                "<ul id=\"notifications\" sse-swap=\"notification\" hx-swap=\"beforeend\"></ul>")
                        + conversation("<ul id=\"messages\" sse-swap=\"message\" hx-swap=\"beforeend\"></ul>",
                                htmxMessageForm(base))
                        + "</main>"
                        // keep the last event id in sse-connect: htmx-ext-sse re-reads it when it opens a
                        // new EventSource after a refused reconnect, and the server resumes from it
                        + "<script>document.addEventListener('htmx:sseMessage', function (e) {"
                        + " var id = e.detail && e.detail.lastEventId;"
                        + " var source = document.querySelector('[sse-connect]');"
                        + " if (id && source) { source.setAttribute('sse-connect',"
                        + " source.dataset.eventsUrl + '?lastEventId=' + encodeURIComponent(id)); } });"
                        + " " + RELOAD_ON_ROOM_RESYNC + "</script>");
    }

    /**
     * The htmx page on a stream shared by the browser's tabs: the library's client script ({@code /sse/client.js})
     * gives htmx-ext-sse an EventSource-compatible object whose one connection all tabs of the room share, so any
     * number of tabs hold one connection. Like the htmx page, it renders with the stream's position, in the stream's
     * URL ({@code ?lastEventId=}): the script takes it for where this tab starts, not for a part of the stream's
     * name, and catches the tab up from it. Its inline script is a constant.
     */
    static String htmxShared(String contextPath, String room, String user, long count, String position) {
        String base = contextPath + "/rooms/" + room;
        String stream = Html.escape(base + "/stream?lastEventId="
                + URLEncoder.encode(position, StandardCharsets.UTF_8));
        return page(contextPath, "Room " + Html.escape(room) + " (htmx, shared)",
                htmxScripts(contextPath)
                        + "<script src=\"" + Html.escape(contextPath) + "/sse/client.js\"></script>"
                        + "<script>htmx.createEventSource = function (url) {"
                        + " return Broadcaster.source(url, { withCredentials: true }); };"
                        + " " + RELOAD_ON_ROOM_RESYNC + "</script>",
                "<main class=\"chat\" hx-ext=\"sse\" sse-connect=\"" + stream + "\" data-room=\""
                        + Html.escape(room) + "\">"
                        + htmxTopbar(room, "htmx 2, shared", user, count)
                        + sidebar(contextPath, room,
                                "<ul id=\"notifications\" sse-swap=\"notification\" hx-swap=\"beforeend\"></ul>")
                        + conversation("<ul id=\"messages\" sse-swap=\"message\" hx-swap=\"beforeend\"></ul>",
                                htmxMessageForm(base))
                        + "</main>");
    }

    /**
     * The htmx 4 page: its bundled SSE extension ({@code hx-sse:connect}, fetch-based) swaps the unnamed events of the
     * stream into {@code #messages} (the presence list and the counter come out of band), sends {@code Last-Event-ID}
     * when it reconnects, and stops for good on the {@code stop} event ({@code hx-sse:close}) a kill or a refused
     * stream ends with. Named events reach it as DOM events on the stream's element: its one inline script, a
     * constant, appends notifications and reloads the page after a resync of its room, as the htmx 2 page does.
     */
    static String htmx4Room(String contextPath, String room, String user, long count, String position) {
        String base = contextPath + "/rooms/" + room;
        String stream = Html.escape(base + "/stream?lastEventId=" + URLEncoder.encode(position, StandardCharsets.UTF_8));
        return page(contextPath, "Room " + Html.escape(room) + " (htmx 4)",
                "<script src=\"" + Html.escape(contextPath) + "/assets/htmx4.min.js\"></script>"
                        + "<script src=\"" + Html.escape(contextPath) + "/assets/hx-sse.js\"></script>",
                "<main class=\"chat\" id=\"stream\" hx-sse:connect=\"" + stream + "\" hx-sse:close=\"stop\""
                        + " hx-target=\"#messages\" hx-swap=\"beforeend\" data-room=\"" + Html.escape(room) + "\">"
                        + htmxTopbar(room, "htmx 4", user, count)
                        + sidebar(contextPath, room, "<ul id=\"notifications\"></ul>")
                        + conversation("<ul id=\"messages\"></ul>", messageForm(base, "after:request")) + "</main>"
                        + "<script>(function () { var stream = document.getElementById('stream');"
                        + " stream.addEventListener('notification', function (e) {"
                        + " document.getElementById('notifications').insertAdjacentHTML('beforeend', e.detail.data); });"
                        + " stream.addEventListener('resync', function (e) {"
                        + " if (JSON.parse(e.detail.data).channel === stream.dataset.room) {"
                        + " setTimeout(function () { location.reload(); }, 1000 + Math.random() * 1000); } }); })();"
                        + "</script>");
    }

    /**
     * A room page's top bar: the room's name, which page this is ({@code variant}), the message counter
     * ({@code counter}, the element the page updates) and the signed-in user.
     */
    private static String topbar(String room, String variant, String user, String counter) {
        return "<header class=\"topbar\"><h1><span class=\"hash\">#</span>" + Html.escape(room)
                + " <span class=\"variant\">" + variant + "</span></h1>"
                + "<p class=\"count\">Messages " + counter + "</p>" + signedIn(user) + "</header>";
    }

    /** Who is signed in, with the user's initial for an avatar. */
    private static String signedIn(String user) {
        return "<p class=\"me\">Signed in as <span class=\"user\"" + ChatHtml.initial(user) + ">"
                + Html.escape(user) + "</span></p>";
    }

    /**
     * A room page's sidebar: who is online ({@code #presence}, replaced by the presence renders), the
     * notifications list ({@code notifications}, as the page fills it) and links to the room's other pages.
     */
    private static String sidebar(String contextPath, String room, String notifications) {
        String base = Html.escape(contextPath + "/rooms/" + room);
        return "<aside class=\"sidebar\"><h2>Online</h2><ul id=\"presence\"></ul>"
                + "<h2>Notifications</h2>" + notifications
                + "<nav><h2>This room as</h2><a href=\"" + base + "\">Datastar</a><a href=\"" + base
                + "/htmx\">htmx 2</a><a href=\"" + base + "/shared\">htmx 2, shared</a><a href=\"" + base
                + "/htmx4\">htmx 4</a><a href=\"" + Html.escape(contextPath) + "/\">All rooms</a></nav></aside>";
    }

    /** The message list and the form under it. */
    private static String conversation(String messages, String form) {
        return "<section class=\"conversation\"><h2 class=\"hidden\">Messages</h2>" + messages + form + "</section>";
    }

    /** The scripts of htmx 2 and its SSE extension, which the application serves. */
    private static String htmxScripts(String contextPath) {
        return "<script src=\"" + Html.escape(contextPath) + "/assets/htmx.min.js\"></script>"
                + "<script src=\"" + Html.escape(contextPath) + "/assets/sse.js\"></script>";
    }

    /** The htmx pages' top bar: their counter is {@code #counter}, replaced out of band with each message. */
    private static String htmxTopbar(String room, String variant, String user, long count) {
        return topbar(room, variant, user, "<span id=\"counter\">" + count + "</span>");
    }

    /** The htmx 2 pages' form: it posts {@code text} to the room's messages and empties itself. */
    private static String htmxMessageForm(String base) {
        return messageForm(base, "after-request");
    }

    /**
     * An htmx form that posts {@code text} to the room's messages and empties itself after {@code afterRequest}
     * (htmx 2 names the event {@code after-request}, htmx 4 {@code after:request}).
     */
    private static String messageForm(String base, String afterRequest) {
        return "<form hx-post=\"" + Html.escape(base + "/messages") + "\" hx-swap=\"none\""
                + " hx-on::" + afterRequest + "=\"this.reset()\">"
                + "<input name=\"text\" placeholder=\"Say something\" autocomplete=\"off\">"
                + "<button>Send</button></form>";
    }

    /** A page: its title, what its head adds to the stylesheet ({@code head}), and its body. */
    private static String page(String contextPath, String title, String head, String body) {
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + title + "</title>"
                + "<link rel=\"stylesheet\" href=\"" + Html.escape(contextPath) + "/assets/rooms.css\">"
                + head + "</head><body>" + body + "</body></html>\n";
    }
}
