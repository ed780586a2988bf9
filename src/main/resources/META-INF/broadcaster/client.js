/*
 * Broadcaster client (served at <broadcaster.path>/client.js): the tabs of one browser share one stream.
 *
 *   const source = Broadcaster.source('/app/rooms/lobby/events', { withCredentials: true });
 *   source.addEventListener('message', e => ...);      // an EventSource, as far as a page can tell
 *   htmx.createEventSource = url => Broadcaster.source(url, { withCredentials: true });   // htmx-ext-sse
 *
 * Per absolute stream URL, one tab (the one holding the Web Lock "broadcaster <url>") opens the real EventSource
 * and relays its events to the other tabs over the BroadcastChannel of the same name. When that tab closes, the
 * next one in the lock's queue takes over and reopens the stream with ?lastEventId=<the last id it saw>; when it
 * hangs (no word for about 5 s, pings unanswered, and still the same tab holding the lock), a waiting tab takes the
 * lock by force, and the old holder, once it wakes, closes its EventSource and follows. A lock that changed hands
 * meanwhile (the holder closed, the next tab is busy) gives its new holder as long to speak. Events carrying an id already seen are dropped, so a takeover
 * neither loses nor repeats an event. Events without an id are current state (the library's presence): the latest
 * of each type is replayed to a tab that joins. A named event type reaches the tabs once some tab listens to it.
 * The holder tells the server how many tabs it serves: tabs=<n>&client=<key> on the stream URL, then
 * POST <base>/stream/tabs on every change. A tab counts while it holds its own lock "broadcaster <url> tab <id>",
 * which the browser releases when the tab goes, however much its timers are throttled.
 * Without Web Locks (an http: origin other than localhost) or BroadcastChannel, source() is a plain EventSource.
 */
(function () {
    'use strict';
    if (window.Broadcaster) {
        return;
    }
    const CONNECTING = 0, OPEN = 1, CLOSED = 2;
    const TICK = 1000;          // holder: a beat per tick; follower: checks the holder
    const PING_AFTER = 3000;    // follower: a holder silent this long is pinged (a throttled one answers)
    const STEAL_AFTER = 4000;   // ... and taken over when silent this long, plus up to 1.5 s of jitter
    const DEBOUNCE = 200;       // holder: tab count changes are reported after this quiet time
    const SEEN = 1000;          // ids remembered to drop repeats after a takeover
    const RECENT = 256;         // events kept to catch up a tab whose page was rendered a little earlier
    const WAIT = 3000;          // a tab whose position the holder does not know waits this long for it to come

    const script = document.currentScript;
    const defaultBase = script && script.src ? script.src.replace(/[?#].*$/, '').replace(/\/client\.js$/, '') : null;
    const sharing = typeof BroadcastChannel === 'function' && !!(navigator.locks && navigator.locks.request);
    const hubs = new Map();     // url -> Hub: this tab's part in the shared stream of url
    const lastIds = new Map();  // url -> the last event id this tab saw (outlives a Hub)

    function randomKey() { // 22 base64url characters (128 bits)
        const bytes = crypto.getRandomValues(new Uint8Array(16));
        return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    }

    /** The EventSource-like object a page gets: its events come from this tab's Hub for its URL. */
    class SharedSource extends EventTarget {
        constructor(url, options, hub) {
            super();
            this.url = url;
            this.withCredentials = !!(options && options.withCredentials);
            this.readyState = CONNECTING;
            this.onopen = this.onmessage = this.onerror = null;
            for (const type of ['open', 'message', 'error']) {
                super.addEventListener(type, event => {
                    const handler = this['on' + type];
                    if (typeof handler === 'function') {
                        handler.call(this, event);
                    }
                });
            }
            this._hub = hub;
            hub.attach(this);
        }

        addEventListener(type, listener, options) {
            super.addEventListener(type, listener, options);
            if (this._hub) {
                this._hub.listen(String(type));
            }
        }

        close() {
            const hub = this._hub;
            this.readyState = CLOSED;
            this._hub = null;
            if (hub) {
                hub.detach(this);
            }
        }

        _open() {
            if (this.readyState === CONNECTING) {
                this.readyState = OPEN;
                this.dispatchEvent(new Event('open'));
            }
        }

        _error(closed) {
            if (this.readyState !== CLOSED) {
                this.readyState = closed ? CLOSED : CONNECTING;
                if (closed) {
                    this._hub = null;
                }
                this.dispatchEvent(new Event('error'));
            }
        }

        _message(type, data, lastEventId, origin) {
            if (this.readyState !== CLOSED) {
                this.dispatchEvent(new MessageEvent(type, { data, lastEventId, origin }));
            }
        }
    }
    for (const [name, value] of [['CONNECTING', CONNECTING], ['OPEN', OPEN], ['CLOSED', CLOSED]]) {
        SharedSource[name] = value;
        SharedSource.prototype[name] = value;
    }

    /**
     * This tab's part in the shared stream of one URL, while the tab has a source open on it: a follower (waiting
     * in the lock's queue, receiving events over the channel) or the holder (the EventSource's owner).
     * Messages on the channel: hello, types, bye, ping (any tab); holder, beat, ev, state, closed (the holder,
     * each with its term: the time it took over and its id, so that a newer holder wins over an older one).
     */
    class Hub {
        constructor(url, withCredentials, base, start) {
            this.url = url;
            this.withCredentials = withCredentials;
            this.base = base;
            this.name = 'broadcaster ' + url;
            this.id = randomKey();
            this.sources = new Set();
            this.types = new Set(['message']);
            this.role = 'follower';
            this.state = CONNECTING;       // of the shared stream, as this tab knows it
            this.top = '';                  // the newest holder term heard of
            this.heard = Date.now();        // when the holder last said anything
            this.speaker = undefined;       // the client (LockInfo.clientId) holding the lock when a new holder spoke
            this.jitter = Math.random() * 1500;
            this.seen = new Set();
            this.current = new Map();      // type -> the latest event of that type without an id (state, e.g. presence)
            this.recent = [];               // the latest events with an id, for tabs that join
            // the position the page was rendered at (?lastEventId= of its stream URL): until the holder has caught
            // this tab up from it, events are held back
            this.pending = lastIds.has(url) ? null : start || null;
            this.held = [];
            this.ticket = 0;
            this.channel = new BroadcastChannel(this.name);
            this.channel.onmessage = event => this.receive(event.data || {});
            // the tab's own lock: the holder counts these, and learns from its release that the tab went
            navigator.locks.request(this.name + ' tab ' + this.id, () => new Promise(release => {
                this.releaseTab = release;
                if (this.role === 'stopped') {
                    release();
                } else {
                    this.hello();
                }
            })).catch(() => {});
            this.queue();
            this.timer = setInterval(() => this.tick(), TICK);
        }

        hello() {
            this.post({ t: 'hello', id: this.id, types: [...this.types], from: this.pending || undefined });
        }

        post(message) {
            if (this.role !== 'stopped') {
                this.channel.postMessage(message);
            }
        }

        attach(source) {
            this.sources.add(source);
            if (this.state === OPEN) {
                // as a new connection would, a new source gets the current state after its open
                setTimeout(() => {
                    source._open();
                    for (const m of this.current.values()) {
                        source._message(m.type, m.data, m.id, m.origin);
                    }
                }, 0);
            }
        }

        detach(source) {
            this.sources.delete(source);
            if (this.sources.size === 0) {
                this.stop();
            }
        }

        listen(type) {
            if (type === 'open' || type === 'error' || this.types.has(type)) {
                return;
            }
            this.types.add(type);
            this.relayType(type);
            this.post({ t: 'types', types: [type] });
        }

        /** Waits in the lock's queue (or takes the lock by force); the holder's part runs once it is granted. */
        queue(steal) {
            const ticket = ++this.ticket;
            const abort = this.abort = new AbortController();
            const options = steal ? { steal: true } : { signal: abort.signal };
            navigator.locks.request(this.name, options, () => this.lead(ticket)).catch(() => {
                if (ticket === this.ticket && this.role === 'holder') {
                    this.demote(); // stolen: another tab took over while this one was frozen or hung
                } else if (ticket === this.ticket && this.role === 'follower') {
                    setTimeout(() => ticket === this.ticket && this.role === 'follower' && this.queue(), TICK);
                }
            });
        }

        lead(ticket) {
            if (ticket !== this.ticket || this.role !== 'follower') {
                return undefined;
            }
            this.role = 'holder';
            if (this.pending) { // the stream opens from the page's position: what was held back comes again
                lastIds.set(this.url, this.pending);
                this.pending = null;
                this.held = [];
            }
            this.top = this.term = String(Math.max(Date.now(), Number(this.top.split(':')[0] || 0) + 1))
                .padStart(15, '0') + ':' + this.id;
            this.key = this.key || randomKey();
            this.watches = new AbortController();
            this.watched = new Set();
            this.post({ t: 'holder', h: this.term });
            const released = new Promise(release => { this.releaseLead = release; });
            this.count().then(tabs => {
                if (this.role === 'holder' && ticket === this.ticket) {
                    this.connect(tabs);
                }
            });
            return released;
        }

        connect(tabs) {
            const last = lastIds.get(this.url);
            const params = ['tabs=' + tabs, 'client=' + this.key];
            if (last) {
                params.unshift('lastEventId=' + encodeURIComponent(last));
            }
            this.tabs = this.urlTabs = tabs;
            this.serverTabs = null;
            const es = this.es = new EventSource(this.url + (this.url.includes('?') ? '&' : '?') + params.join('&'),
                { withCredentials: this.withCredentials });
            this.relayed = new Set();
            // the id the stream resumes from: a stream of several channels first sends it in an id-only frame (which
            // an EventSource takes without dispatching anything), so the first event without an id comes with it
            this.esLast = last || '';
            es.onopen = () => {
                if (es === this.es) {
                    this.serverTabs = this.urlTabs; // also after the browser's own reconnect, with the same URL
                    this.shared(OPEN);
                    this.report();
                }
            };
            es.onerror = () => {
                if (es !== this.es) {
                    return;
                }
                if (es.readyState === CLOSED) {
                    this.fail(); // refused (not a 200 text/event-stream): the sources close, as an EventSource does
                } else {
                    this.shared(CONNECTING);
                }
            };
            for (const type of this.types) {
                this.relayType(type);
            }
        }

        relayType(type) {
            const es = this.es;
            if (this.role !== 'holder' || !es || this.relayed.has(type)) {
                return;
            }
            this.relayed.add(type);
            es.addEventListener(type, event => {
                if (es !== this.es) {
                    return;
                }
                // an event without an id leaves lastEventId as it was: it is not a new id
                const fresh = event.lastEventId !== '' && event.lastEventId !== this.esLast;
                this.esLast = event.lastEventId;
                const message = { t: 'ev', h: this.term, type, data: event.data, origin: event.origin, fresh,
                    id: fresh ? event.lastEventId : (lastIds.get(this.url) || '') };
                this.deliver(message);
                this.post(message);
            });
        }

        /**
         * Hands an event to this tab's sources, unless its id was seen already (a repeat after a takeover). An event
         * without an id is current state (the library sends presence so): the latest of each type is kept for tabs
         * and sources that join later.
         */
        deliver(message) {
            if (!message.fresh) {
                this.current.set(message.type, message);
            } else {
                if (this.seen.has(message.id)) {
                    return;
                }
                this.seen.add(message.id);
                if (this.seen.size > SEEN) {
                    this.seen.delete(this.seen.values().next().value);
                }
                lastIds.set(this.url, message.id);
                this.recent.push(message);
                if (this.recent.length > RECENT) {
                    this.recent.shift();
                }
            }
            for (const source of [...this.sources]) {
                source._message(message.type, message.data, message.id, message.origin);
            }
        }

        /** The shared stream opened, or lost its connection (the holder's EventSource retries). */
        shared(state) {
            this.state = state;
            if (this.role === 'holder') {
                this.post({ t: 'state', h: this.term, s: state });
            }
            for (const source of [...this.sources]) {
                if (state === OPEN) {
                    source._open();
                } else {
                    source._error(false);
                }
            }
        }

        /** The shared stream was refused: every tab's sources close (a page may open new ones, as with EventSource). */
        fail() {
            if (this.role === 'holder') {
                this.post({ t: 'closed', h: this.term });
            }
            const sources = [...this.sources];
            this.stop();
            for (const source of sources) {
                source._error(true);
            }
        }

        receive(m) {
            if (this.role === 'stopped') {
                return;
            }
            if (m.types) {
                for (const type of m.types) {
                    if (!this.types.has(type)) {
                        this.types.add(type);
                        this.relayType(type);
                    }
                }
            }
            if (!m.h) { // from any tab: hello, types, bye, ping
                if (this.role === 'holder') {
                    if (m.t === 'hello') {
                        this.watch(m.id);
                        this.recount();
                        this.post(this.beat()); // the stream's state first: a new tab's sources open
                        if (m.from) {
                            this.post({ t: 'catchup', h: this.term, to: m.id, events: this.after(m.from) });
                        }
                        for (const current of this.current.values()) {
                            this.post(Object.assign({}, current, { h: this.term, to: m.id }));
                        }
                    } else if (m.t === 'bye') {
                        this.recount();
                    } else if (m.t === 'ping') {
                        this.post(this.beat());
                    }
                }
                return;
            }
            if (m.h < this.top) {
                return; // from a holder that has been taken over from
            }
            if (m.h > this.top) {
                this.top = m.h;
                const top = m.h;
                this.lockHolder().then(client => {
                    if (this.top === top) {
                        this.speaker = client;
                    }
                });
                if (this.role === 'holder') {
                    this.demote(); // a newer holder: step down
                } else if (this.pending && m.t === 'holder') {
                    this.hello(); // still to be caught up: ask the new holder
                }
            }
            if (this.role === 'holder') {
                return;
            }
            this.heard = Date.now();
            if (m.to && m.to !== this.id) {
                return; // the current state, for a tab that just joined
            }
            if (m.t === 'ev') {
                if (this.state !== OPEN) {
                    this.shared(OPEN); // the holder's stream is open: it relays events
                }
                if (this.pending && m.fresh && !m.to) {
                    if (m.id === this.pending) {
                        this.caughtUp([], m.id); // the page's own position came by: what follows is new to it
                    } else {
                        this.held.push(m);
                    }
                } else {
                    this.deliver(m);
                }
            } else if (m.t === 'catchup') {
                if (this.pending) {
                    if (m.events) {
                        // everything held back came before the answer, so is in it or at most the position
                        this.caughtUp(m.events, this.pending);
                    } else {
                        this.waiting = Date.now() + WAIT; // not known yet: newer than the holder's last event?
                    }
                }
            } else if (m.t === 'beat') {
                if (!lastIds.has(this.url) && !this.pending && m.id) {
                    lastIds.set(this.url, m.id);
                }
                if (m.s === OPEN && this.state !== OPEN) {
                    this.shared(OPEN);
                }
            } else if (m.t === 'state') {
                this.shared(m.s);
            } else if (m.t === 'closed') {
                this.fail();
            }
        }

        /** The events after id, if this tab knows where id is: none if it is the last, null if it does not know. */
        after(id) {
            if (id === (lastIds.get(this.url) || '')) {
                return [];
            }
            const i = this.recent.findIndex(message => message.id === id);
            return i < 0 ? null : this.recent.slice(i + 1);
        }

        /** Ends holding events back (caught up, or given up waiting): delivers events, then those after position. */
        caughtUp(events, position) {
            const held = this.held;
            this.pending = null;
            this.held = [];
            this.waiting = 0;
            if (position) {
                lastIds.set(this.url, position);
                this.seen.add(position);
            }
            for (const message of events || held) {
                this.deliver(message);
            }
        }

        beat() {
            return { t: 'beat', h: this.term, s: this.state, id: lastIds.get(this.url) || '', types: [...this.types] };
        }

        tick() {
            if (this.role === 'holder') {
                this.post(this.beat());
                this.recount();
            } else if (this.role === 'follower') {
                if (this.waiting && Date.now() > this.waiting) {
                    this.caughtUp(null, null); // the position never came (an older page): deliver what came since
                }
                const silent = Date.now() - this.heard;
                if (silent > STEAL_AFTER + this.jitter) {
                    this.takeOverIfHung();
                } else if (silent > PING_AFTER) {
                    this.post({ t: 'ping' });
                }
            }
        }

        /**
         * Takes the lock by force from a silent holder, unless the lock changed hands since a holder last spoke (the
         * holder closed and the next tab in the queue has it, but is busy): that one gets as long to speak.
         */
        takeOverIfHung() {
            if (this.checking) {
                return;
            }
            this.checking = true;
            const ticket = this.ticket;
            this.lockHolder().then(client => {
                this.checking = false;
                if (ticket !== this.ticket || this.role !== 'follower' || Date.now() - this.heard <= STEAL_AFTER) {
                    return;
                }
                this.heard = Date.now();
                if (client !== this.speaker) {
                    this.speaker = client;
                    return;
                }
                this.abort.abort();
                this.queue(true);
            });
        }

        /** The client holding the shared stream's lock: null when none does, undefined if the browser cannot tell. */
        lockHolder() {
            return navigator.locks.query().then(({ held }) => {
                const lock = held.find(info => info.name === this.name);
                return lock ? lock.clientId : null;
            }, () => undefined);
        }

        /** Stops holding (taken over): closes the EventSource and waits in the queue again. */
        demote() {
            if (this.role !== 'holder') {
                return;
            }
            this.role = 'follower';
            if (this.es) {
                this.es.close();
                this.es = null;
            }
            this.watches.abort();
            this.releaseLead();
            this.heard = Date.now();
            this.queue();
        }

        /** Counts the tabs holding their tab lock for this URL (this one included), and watches each for its end. */
        async count() {
            const prefix = this.name + ' tab ';
            const { held } = await navigator.locks.query();
            let tabs = 0;
            for (const lock of held) {
                if (lock.mode === 'exclusive' && lock.name.startsWith(prefix)) {
                    tabs++;
                    this.watch(lock.name.slice(prefix.length));
                }
            }
            return Math.max(tabs, 1);
        }

        watch(id) {
            if (this.role !== 'holder' || id === this.id || this.watched.has(id)) {
                return;
            }
            this.watched.add(id);
            const watched = this.watched;
            // granted (and let go at once) when that tab releases its lock: it left
            navigator.locks.request(this.name + ' tab ' + id, { mode: 'shared', signal: this.watches.signal }, () => {})
                .then(() => {
                    watched.delete(id);
                    this.recount();
                }, () => {});
        }

        recount() {
            clearTimeout(this.counting);
            this.counting = setTimeout(() => this.count().then(tabs => {
                if (this.role === 'holder' && tabs !== this.tabs) {
                    this.tabs = tabs;
                    this.report();
                }
            }), DEBOUNCE);
        }

        /**
         * Tells the server the tab count when it changed. A refusal (404: the stream is not there yet, or not there
         * any more) is not retried until the next open or the next change.
         */
        report() {
            if (this.role !== 'holder' || !this.base || this.reporting || this.serverTabs === null
                || this.tabs === this.serverTabs) {
                return;
            }
            const tabs = this.tabs;
            const es = this.es;
            this.reporting = true;
            fetch(this.base + '/stream/tabs', {
                method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ client: this.key, tabs }),
            }).then(response => response.ok, () => false).then(done => {
                this.reporting = false;
                if (done && es === this.es) {
                    this.serverTabs = tabs;
                    this.report();
                }
            });
        }

        /** This tab leaves the shared stream (its last source closed, or the stream was refused). */
        stop() {
            if (this.role === 'stopped') {
                return;
            }
            this.post({ t: 'bye' });
            const holding = this.role === 'holder';
            this.role = 'stopped';
            if (hubs.get(this.url) === this) {
                hubs.delete(this.url);
            }
            clearInterval(this.timer);
            clearTimeout(this.counting);
            if (holding) {
                if (this.es) {
                    this.es.close();
                }
                this.watches.abort();
                this.releaseLead();
            }
            this.abort.abort();
            if (this.releaseTab) {
                this.releaseTab();
            }
            this.channel.close();
        }
    }

    function absolute(url) {
        const resolved = new URL(String(url), document.baseURI);
        resolved.hash = '';
        return resolved.href;
    }

    window.Broadcaster = Object.freeze({
        /**
         * An EventSource for url whose one connection the tabs of this browser share. options: withCredentials
         * (as for EventSource), base (the library's path, e.g. '/app/sse', when this script was not loaded from it).
         */
        source(url, options) {
            if (!sharing) {
                return new EventSource(url, options);
            }
            // ?lastEventId= is the position the page was rendered at, not a part of the stream's name
            const href = new URL(absolute(url));
            const start = href.searchParams.get('lastEventId');
            if (start !== null) {
                href.searchParams.delete('lastEventId');
            }
            const key = href.href;
            let hub = hubs.get(key);
            if (!hub) {
                const base = options && options.base ? absolute(options.base).replace(/\/$/, '') : defaultBase;
                hub = new Hub(key, !!(options && options.withCredentials), base, start);
                hubs.set(key, hub);
            }
            return new SharedSource(absolute(url), options, hub);
        },

        /** What this tab knows of the shared stream of url: {holder, tabs, state, lastEventId}, or null. */
        info(url) {
            const href = new URL(absolute(url));
            href.searchParams.delete('lastEventId');
            const hub = hubs.get(href.href);
            return hub ? {
                holder: hub.role === 'holder', tabs: hub.role === 'holder' ? hub.tabs : undefined,
                state: hub.state, lastEventId: lastIds.get(hub.url) || '',
            } : null;
        },
    });

    addEventListener('pagehide', () => {
        for (const hub of hubs.values()) {
            hub.post({ t: 'bye' });
        }
    });
}());
