// The example's htmx 4 room page (/rooms/rooms/{room}/htmx4) in headless Chromium, with the real htmx 4.0.1 and
// its bundled SSE extension (hx-sse.js) the application serves, beside the htmx 2 page of the same room.
//
// What htmx 4 does (hx-sse.js): hx-sse:connect opens the stream with fetch (HX-Request: true); unnamed events are
// swapped into the element's hx-target, named ones become DOM events; an ended stream is reconnected after
// 500 ms (doubling, with 30 % jitter, up to 60 s, forever, a non-2xx answer included) with Last-Event-ID; the
// named event of hx-sse:close ends it for good. The example publishes each message and presence render once, as an
// unnamed event (Broadcast.swap): both pages swap it. Kills and refused streams end with the library's stop event,
// which the page binds with hx-sse:close="stop".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    api, items, messagesReach, openHtmx4Room, openHtmxRoom, post, postAndSeeOnEveryPage, presenceIs, streamPath,
    uniqueRoom, until, useBrowser, withSignedIn,
} from './browser.mjs';

/** How long a page is watched for a reconnect that must not come: 6 times htmx 4's first reconnect delay. */
const NO_RECONNECT_WINDOW = 3_000;

/** Records, in the page, how its stream closes (htmx:sse:close's reason) and how many times it connected. */
function watchStream(page) {
    return page.evaluate(() => {
        window.sseLog = { connections: 0, closed: null };
        document.addEventListener('htmx:sse:after:connection', () => window.sseLog.connections++);
        document.addEventListener('htmx:sse:close', e => { window.sseLog.closed = e.detail.reason; });
    });
}

/**
 * Logs the requests of {@code room}'s stream that {@code page} makes from now on, sending each to the URL
 * {@code rewrite} makes of its own; returns the log.
 */
async function routeStream(page, room, rewrite = url => url) {
    const requests = [];
    await page.route(url => new URL(url).pathname === streamPath(room), async route => {
        const request = route.request();
        requests.push({ at: Date.now(), lastEventId: await request.headerValue('last-event-id') });
        await route.continue({ url: rewrite(request.url()) });
    });
    return requests;
}

/** Waits {@code ms} as an observation window (nothing is synchronised on it) and returns. */
function observe(ms) {
    return new Promise(resolve => setTimeout(resolve, ms));
}

const browser = useBrowser();

test('the htmx 4 and htmx 2 pages of a room show the same messages, presence and counter from the same events',
    async () => {
        const room = uniqueRoom('htmx4');
        await withSignedIn(browser(), ['alice', 'bob'], async (aliceContext, bobContext) => {
            const alice = await openHtmx4Room(aliceContext, room, 'alice');
            const bob = await openHtmxRoom(bobContext, room, 'bob');
            await presenceIs(alice, ['alice', 'bob']);
            await presenceIs(bob, ['alice', 'bob']);

            await postAndSeeOnEveryPage([alice, bob],
                [[alice, 'alice', 'from htmx 4'], [bob, 'bob', 'from htmx 2'], [alice, 'alice', 'x <b>&']]);

            await bobContext.close();
            await presenceIs(alice, ['alice']);
        });
    });

test('after the server drops its stream, the htmx 4 page reconnects with Last-Event-ID and shows every message once',
    async () => {
        const room = uniqueRoom('htmx4-resume');
        await withSignedIn(browser(), ['alice', 'bob'], async (aliceContext, bobContext) => {
            const alice = await openHtmx4Room(aliceContext, room, 'alice');
            const bob = await openHtmx4Room(bobContext, room, 'bob');
            await watchStream(bob);
            assert.equal(await post(alice, 'before the drop'), 204);
            await messagesReach(bob, 1, 1);

            // bob's reconnect is held back until alice has posted, so that it must be a replay
            let release;
            const released = new Promise(resolve => { release = resolve; });
            const requests = [];
            await bob.route(url => new URL(url).pathname === streamPath(room), async route => {
                requests.push(await route.request().headerValue('last-event-id'));
                await released;
                await route.continue();
            });
            // the page's stream carries the room and bob's notifications: removed from both, it ends (no stop: a
            // disconnected client may come back)
            assert.ok((await api('DELETE', '/sse/channels/private-bob/users/bob')).closed >= 1);
            assert.deepEqual(await api('DELETE', `/sse/channels/${room}/users/bob`), { closed: 1 });
            await until('bob\'s reconnect request', () => requests.length, n => n === 1);

            const missed = ['while away 1', 'while away 2', 'while away 3'];
            for (const text of missed) {
                assert.equal(await post(alice, text), 204);
            }
            await messagesReach(alice, 4, 4);
            release();

            await messagesReach(bob, 4, 4);
            assert.deepEqual(await items(bob, '#messages'),
                ['alice: before the drop', ...missed.map(text => `alice: ${text}`)]);
            assert.match(requests[0] ?? '', /\S/, 'the reconnect carried Last-Event-ID');
            assert.equal(requests.length, 1);
            await presenceIs(bob, ['alice', 'bob']);
        });
    });

test('a kill ends the htmx 4 page\'s stream with stop, and the page does not reconnect', async () => {
    const room = uniqueRoom('htmx4-kill');
    await withSignedIn(browser(), ['carol'], async context => {
        const carol = await openHtmx4Room(context, room, 'carol');
        await watchStream(carol);
        const requests = await routeStream(carol, room);
        // the stream ends with its last channel: the notifications first (its resync is ignored), then the room
        await api('DELETE', '/sse/channels/private-carol');
        await api('DELETE', `/sse/channels/${room}`);
        await carol.waitForFunction(() => window.sseLog.closed !== null);
        assert.equal(await carol.evaluate(() => window.sseLog.closed), 'message', 'closed by hx-sse:close="stop"');

        await observe(NO_RECONNECT_WINDOW);
        assert.equal(requests.length, 0, `reconnects after the kill: ${JSON.stringify(requests)}`);
        assert.equal((await api('GET', '/sse/channels')).channels.find(c => c.name === room), undefined);
    });
});

test('a reconnect the server refuses is answered with stop, and the htmx 4 page does not knock again', async () => {
    const room = uniqueRoom('htmx4-refused');
    await withSignedIn(browser(), ['bob'], async context => {
        const bob = await openHtmx4Room(context, room, 'bob');
        await watchStream(bob);
        // from now on bob's page asks for a room he may not join (as if his access had been revoked)
        const requests = await routeStream(bob, room,
            url => url.replace(`/rooms/${room}/stream`, '/rooms/private-alice/stream'));
        assert.ok((await api('DELETE', '/sse/channels/private-bob/users/bob')).closed >= 1);
        assert.deepEqual(await api('DELETE', `/sse/channels/${room}/users/bob`), { closed: 1 });

        await bob.waitForFunction(() => window.sseLog.closed !== null);
        assert.equal(await bob.evaluate(() => window.sseLog.closed), 'message', 'closed by hx-sse:close="stop"');
        await observe(NO_RECONNECT_WINDOW);
        assert.equal(requests.length, 1, `one refused reconnect, no more: ${JSON.stringify(requests)}`);
        assert.equal(await bob.evaluate(() => window.sseLog.connections), 1,
            'the refused reconnect, a 200 stream of stop');
    });
});
