// One connection per browser: the example's shared htmx page (/rooms/rooms/{room}/shared) loads the library's
// client script (/rooms/sse/client.js), which gives htmx-ext-sse an EventSource-compatible object whose one real
// EventSource the tabs of the browser share (Web Locks + BroadcastChannel). The page's stream (rooms/{room}/stream)
// carries the room and the user's private channel (private-<user>); events are published with the library's HTTP
// endpoint as alice.
//
// What is checked as a user (and the server) would see it: ten tabs of one user on HTTP/1.1 (at most six
// connections per origin) all receive every event of both channels, the server holds ONE connection of the
// browser on the room, other page loads of the origin complete, presence lists the user once per tab; closing the
// tab that holds the connection hands it over (the time is printed) and no event is lost or repeated across it;
// a hung holder is taken over from, and steps down when it wakes, again losing and repeating nothing; a tab that
// is busy when the lock passes to it keeps the stream (the others see the lock change hands and do not take it by
// force); a tab starts from the position its page was rendered at, whether it opens the stream or joins it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
    BASE_URL, CONTEXT_PATH, TIMEOUT, api, openSharedRoom, presenceIs, publish, streamPath, uniqueRoom, until,
    useBrowser, withSignedIn,
} from './browser.mjs';

/** The times at which {@code context}'s responses to the stream of {@code room} arrived (each a stream opened). */
function streamOpens(context, room) {
    const opens = [];
    context.on('response', response => {
        if (new URL(response.url()).pathname === streamPath(room)) {
            opens.push(Date.now());
        }
    });
    return opens;
}

/** The room's connections on the server (admin listing), 0 when the room is not listed. */
async function roomConnections(room) {
    const { channels } = await api('GET', '/sse/channels');
    return channels.find(c => c.name === room)?.connections ?? 0;
}

/** How many times the server lists {@code user} in {@code channel} (once per tab). */
async function listed(channel, user) {
    const { users } = await api('GET', `/sse/channels/${channel}/users`);
    return users.filter(u => u === user).length;
}

/**
 * Waits until every page's {@code list} (#messages or #notifications) holds {@code expected}, in order, once each.
 * Of #notifications, only this test's own count (each starts with the test's room name): the private channel is
 * the user's, and another test may publish to it.
 */
async function allShow(pages, list, expected) {
    const prefix = list === 'notifications' ? expected[0].split(' ')[0] + ' ' : '';
    const shown = page => page.evaluate(({ list, prefix }) => [...document.querySelectorAll(`#${list} > li`)]
        .map(li => li.textContent).filter(text => text.startsWith(prefix)), { list, prefix });
    for (const page of pages) {
        try {
            await page.waitForFunction(({ list, prefix, count }) =>
                [...document.querySelectorAll(`#${list} > li`)].filter(li => li.textContent.startsWith(prefix))
                    .length >= count,
            { list, prefix, count: expected.length }, { timeout: TIMEOUT, polling: 50 });
        } catch (e) {
            throw new Error(`${list} of a tab should reach ${expected.length} items, has `
                + `${JSON.stringify(await shown(page))}: ${e.message}`);
        }
    }
    for (const page of pages) {
        // any repeat would have arrived with (or before) the last expected item, and shows here
        assert.deepEqual(await shown(page), expected, `#${list} of a tab`);
    }
}

/** Publishes "room i" for i from {@code from} to {@code to} to {@code room}, adding each to {@code messages}. */
async function sendRoom(room, messages, from, to) {
    for (let i = from; i <= to; i++) {
        messages.push(`room ${i}`);
        await publish(room, 'message', `<li>room ${i}</li>`);
    }
}

/** The tabs' view of the shared stream of {@code url}: each page's Broadcaster.info. */
function infos(pages, url) {
    return Promise.all(pages.map(page => page.evaluate(url => Broadcaster.info(url), url)));
}

/** Waits until one of {@code pages} holds the open stream of {@code url}; returns it. */
async function holderOf(pages, url) {
    const found = await until(`a tab holding the open stream of ${url}`, () => infos(pages, url),
        all => all.filter(info => info?.holder && info.state === 1).length === 1);
    return pages[found.findIndex(info => info?.holder)];
}

describe('one stream shared by the tabs of a browser (client.js)', () => {
    const browser = useBrowser();

    test('ten tabs of one user share one connection, receive everything of both channels, and hand over without a gap', async () => {
        const room = uniqueRoom('shared');
        const stream = `${BASE_URL}/rooms/${room}/stream`;
        await withSignedIn(browser(), ['alice'], async context => {
            // every stream request and tab count report of the browser, and the times the stream opened
            const streams = [];
            const reports = [];
            const opens = streamOpens(context, room);
            context.on('request', request => {
                const url = new URL(request.url());
                if (url.pathname === streamPath(room)) {
                    streams.push(url);
                } else if (url.pathname === `${CONTEXT_PATH}/sse/stream/tabs`) {
                    reports.push(JSON.parse(request.postData()));
                }
            });
            const tabs = [];
            for (let i = 0; i < 10; i++) {
                tabs.push(await openSharedRoom(context, room, 'alice'));
            }
            // ONE connection of the browser on the server, with more tabs than HTTP/1.1 allows connections per origin
            assert.equal(await roomConnections(room), 1, 'the server holds one connection of the ten tabs');
            assert.equal(streams.length, 1, `one stream request: ${streams.map(String)}`);
            const holder = await holderOf(tabs, stream);
            assert.equal(streams[0].searchParams.get('tabs'), '1', 'the first tab opened the stream for itself');
            assert.match(streams[0].searchParams.get('client'), /^[A-Za-z0-9_-]{22}$/);
            // the holder counts the ten tabs and reports every change to the server
            await until('the holder counting ten tabs', () => holder.evaluate(url => Broadcaster.info(url).tabs, stream),
                tabs => tabs === 10);
            await until('a report of ten tabs', () => reports.at(-1), last => last?.tabs === 10);
            assert.equal(reports.at(-1).client, streams[0].searchParams.get('client'));
            // the server lists alice once per tab
            await until('alice listed ten times', () => listed(room, 'alice'), n => n === 10);

            // page loads of the origin still complete while the ten tabs are live
            const started = Date.now();
            const index = await context.newPage();
            assert.equal((await index.goto(`${BASE_URL}/`)).status(), 200);
            console.log(`index page loaded in ${Date.now() - started} ms beside ten shared tabs`);
            await index.close();

            // every tab receives every event of both channels, in order, once
            const roomMessages = [];
            const notifications = [];
            for (let i = 1; i <= 5; i++) {
                roomMessages.push(`room ${i}`);
                await publish(room, 'message', `<li>room ${i}</li>`);
                notifications.push(`${room} private ${i}`);
                await publish('private-alice', 'notification', `<li>${room} private ${i}</li>`);
            }
            await allShow(tabs, 'messages', roomMessages);
            await allShow(tabs, 'notifications', notifications);

            // to a page, the object is an EventSource: a second one in a follower tab (the same tab, the same stream)
            const follower = tabs.find(tab => tab !== holder);
            await follower.evaluate(url => {
                const source = Broadcaster.source(url, { withCredentials: true });
                window.probe = {
                    source, initial: source.readyState, url: source.url, withCredentials: source.withCredentials,
                    opened: new Promise(resolve => { source.onopen = () => resolve(source.readyState); }),
                    // the first room message (the presence list, an unnamed event too, is state: the script replays
                    // its latest to a source that joins, maybe first)
                    message: new Promise(resolve => source.addEventListener('message', event => {
                        if (event.data.startsWith('<li>')) {
                            resolve({
                                type: event.type, data: event.data, lastEventId: event.lastEventId,
                                origin: event.origin, isMessageEvent: event instanceof MessageEvent,
                                readyState: source.readyState,
                            });
                        }
                    })),
                };
            }, stream);
            assert.equal(await follower.evaluate(() => window.probe.opened), 1, 'OPEN once open');
            roomMessages.push('room 6');
            await publish(room, 'message', '<li>room 6</li>');
            const probe = await follower.evaluate(async () => {
                const { initial, url, withCredentials, source } = window.probe;
                const message = await window.probe.message;
                source.close();
                return { initial, url, withCredentials, message, closed: source.readyState };
            });
            assert.deepEqual(probe, {
                initial: 0, url: stream, withCredentials: true, closed: 2,
                message: { type: 'message', data: '<li>room 6</li>', lastEventId: probe.message.lastEventId,
                    origin: new URL(BASE_URL).origin, isMessageEvent: true, readyState: 1 },
            });
            assert.notEqual(probe.message.lastEventId, '');
            await allShow(tabs, 'messages', roomMessages);
            // still ten tabs: closing one of its two sources does not take the tab out
            assert.equal(await holder.evaluate(url => Broadcaster.info(url).tabs, stream), 10);

            // closing the holding tab: another takes over and resumes where the tabs were
            const remaining = tabs.filter(tab => tab !== holder);
            const lastBefore = (await infos(remaining, stream))[0].lastEventId;
            const closedAt = Date.now();
            await holder.close();
            for (let i = 7; i <= 11; i++) { // published at once, during the handover
                roomMessages.push(`room ${i}`);
                await publish(room, 'message', `<li>room ${i}</li>`);
                notifications.push(`${room} private ${i - 1}`);
                await publish('private-alice', 'notification', `<li>${room} private ${i - 1}</li>`);
            }
            const next = await holderOf(remaining, stream);
            await until('the new stream open', () => opens.length, n => n === 2);
            const handover = opens[1] - closedAt;
            await allShow(remaining, 'notifications', notifications);
            await allShow(remaining, 'messages', roomMessages);
            console.log(`handover after closing the holding tab: new stream open ${handover} ms after the close;`
                + ` the 10 events published during it shown in all 9 tabs ${Date.now() - closedAt} ms after it`);
            const resumed = streams.at(-1);
            assert.equal(streams.length, 2, `one new stream request: ${streams.map(String)}`);
            assert.equal(resumed.searchParams.get('lastEventId'), lastBefore, 'the new holder resumed from the last id');
            assert.equal(resumed.searchParams.get('tabs'), '9');
            for (let i = 12; i <= 16; i++) {
                roomMessages.push(`room ${i}`);
                await publish(room, 'message', `<li>room ${i}</li>`);
            }
            await allShow(remaining, 'messages', roomMessages);
            await until('one connection on the server again', () => roomConnections(room), n => n === 1);
            await until('alice listed nine times', () => listed(room, 'alice'), n => n === 9);

            // closing followers: the holder counts and reports, the server lists alice fewer times
            for (const tab of remaining.filter(tab => tab !== next).slice(0, 4)) {
                await tab.close();
            }
            await until('a report of five tabs', () => reports.at(-1), last => last?.tabs === 5);
            await until('alice listed five times', () => listed(room, 'alice'), n => n === 5);
            assert.equal(await roomConnections(room), 1);
        });
    });
    test('a hung holder is taken over from, and steps down when it wakes, losing and repeating nothing', async () => {
        const room = uniqueRoom('hung');
        const stream = `${BASE_URL}/rooms/${room}/stream`;
        await withSignedIn(browser(), ['alice'], async context => {
            const opens = streamOpens(context, room);
            const tabs = [];
            for (let i = 0; i < 3; i++) {
                tabs.push(await openSharedRoom(context, room, 'alice'));
            }
            const holder = await holderOf(tabs, stream);
            const others = tabs.filter(tab => tab !== holder);
            const messages = [];
            await sendRoom(room, messages, 1, 3);
            await allShow(tabs, 'messages', messages);

            // the holder's page hangs for 10 s (a long task): it relays nothing, its heartbeat stops. (A page frozen
            // through the DevTools protocol, Page.setWebLifecycleState, kept relaying events here: nothing to take
            // over from.)
            await holder.evaluate(() => {
                setTimeout(() => {
                    const end = Date.now() + 10_000;
                    while (Date.now() < end) { /* hung */ }
                }, 0);
            });
            const hungAt = Date.now();
            await sendRoom(room, messages, 4, 6);
            const next = await holderOf(others, stream);
            await until('the new stream open', () => opens.length, n => n === 2);
            console.log(`takeover from a hung holder: new stream open ${opens[1] - hungAt} ms after it hung`);
            await sendRoom(room, messages, 7, 9);
            await allShow(others, 'messages', messages);
            assert.ok(Date.now() - hungAt < 10_000, 'the old holder woke before the check: the test proves less');

            // it wakes: it closes its stream and follows, and shows everything once too
            await until('the old holder following', () => holder.evaluate(url => Broadcaster.info(url).holder, stream),
                holding => holding === false);
            await sendRoom(room, messages, 10, 10);
            await allShow(tabs, 'messages', messages);
            assert.equal(await holderOf(tabs, stream), next);
            await until('one connection on the server again', () => roomConnections(room), n => n === 1);
        });
    });
    test('a tab that takes the stream over while busy for a few seconds is not taken over from in turn', async () => {
        const room = uniqueRoom('busy');
        const stream = `${BASE_URL}/rooms/${room}/stream`;
        await withSignedIn(browser(), ['alice'], async context => {
            const streams = [];
            context.on('request', request => {
                if (new URL(request.url()).pathname === streamPath(room)) {
                    streams.push(request.url());
                }
            });
            const tabs = [];
            for (let i = 0; i < 5; i++) {
                tabs.push(await openSharedRoom(context, room, 'alice'));
            }
            const holder = await holderOf(tabs, stream);
            assert.equal(holder, tabs[0], 'the first tab opened the stream');
            const messages = [];
            await sendRoom(room, messages, 1, 2);
            await allShow(tabs, 'messages', messages);

            // the next tab in the lock's queue (the second opened) is busy for 6 s, a long task, when the holder
            // closes: the lock is its at once, but it says so only when the task ends. The other tabs have not
            // heard a holder for longer than they wait before taking over from a silent one (4-5.5 s), yet the
            // lock changed hands: nobody hung, so nobody takes the stream by force.
            const next = tabs[1];
            await next.evaluate(() => {
                setTimeout(() => {
                    const end = Date.now() + 6_000;
                    while (Date.now() < end) { /* busy */ }
                }, 0);
            });
            const busyAt = Date.now();
            await holder.close();
            const remaining = tabs.slice(1);
            await sendRoom(room, messages, 3, 5);
            await until('the busy tab holding the open stream', () => infos(remaining, stream),
                all => all.filter(info => info?.holder && info.state === 1).length === 1 && all[0].holder);
            console.log(`handover to a busy tab: ${Date.now() - busyAt} ms after it became busy`);
            await sendRoom(room, messages, 6, 7);
            await allShow(remaining, 'messages', messages);
            assert.deepEqual(streams.length, 2, `one new stream request: ${streams}`);
            assert.equal(await holderOf(remaining, stream), next);
            await until('one connection on the server again', () => roomConnections(room), n => n === 1);
        });
    });

    test('a tab catches up from the position its page was rendered at, whether it holds the stream or not', async () => {
        const room = uniqueRoom('position');
        const stream = `${BASE_URL}/rooms/${room}/stream`;
        await withSignedIn(browser(), ['alice'], async context => {
            // the page is served (rendered with the stream's position), its script held back while events are published
            const openHeldBack = async (publishMeanwhile) => {
                const page = await context.newPage();
                let release;
                const requested = new Promise(resolve => {
                    page.route('**/sse/client.js', route => {
                        resolve();
                        release = () => route.continue();
                    });
                });
                const loaded = page.goto(`${BASE_URL}/rooms/${room}/shared`);
                await requested;
                await publishMeanwhile();
                release();
                assert.equal((await loaded).status(), 200);
                await presenceIs(page, null, 'alice');
                return page;
            };
            // the first tab opens the stream from its position
            const first = await openHeldBack(() => publish(room, 'message', '<li>room 1</li>'));
            await allShow([first], 'messages', ['room 1']);
            assert.equal((await first.evaluate(url => Broadcaster.info(url), stream)).holder, true);
            // the second is caught up by the first
            const second = await openHeldBack(async () => {
                await publish(room, 'message', '<li>room 2</li>');
                await publish('private-alice', 'notification', `<li>${room} private 1</li>`);
                await publish(room, 'message', '<li>room 3</li>');
            });
            assert.equal((await second.evaluate(url => Broadcaster.info(url), stream)).holder, false);
            await publish(room, 'message', '<li>room 4</li>');
            await allShow([first], 'messages', ['room 1', 'room 2', 'room 3', 'room 4']);
            await allShow([second], 'messages', ['room 2', 'room 3', 'room 4']);
            await allShow([first, second], 'notifications', [`${room} private 1`]);
            assert.equal(await roomConnections(room), 1);
        });
    });
});
