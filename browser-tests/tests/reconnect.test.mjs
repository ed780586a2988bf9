// Reconnect of the htmx room page after the server dropped its stream.
//
// What htmx-ext-sse 2.2.4 really does (sse.js, installed from npm by the WAR build): it opens one EventSource per
// sse-connect element. Its onerror handler re-creates the EventSource only when readyState is CLOSED,
// that is when the browser gave up (a reconnect answered with a non-200 status or another content
// type). A stream the server simply ends leaves the EventSource CONNECTING: the browser reconnects by
// itself, after its reconnection time (3 s in Chromium, as no retry: was sent), with the Last-Event-ID
// header, and the broadcaster replays what the page missed. That is the path the first test takes, and
// it checks it is that path: the page never calls htmx.createEventSource again.
//
// When the browser does give up, the extension's new EventSource starts without Last-Event-ID (a new
// EventSource never sends one). The page therefore keeps the last event id in its sse-connect URL
// (?lastEventId=...), which the extension re-reads when it creates the new EventSource, and the server
// resumes from it. The second test shows that path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    TIMEOUT, api, items, messagesReach, post, presenceIs, streamPath, uniqueRoom, until, useBrowser, withHtmxRoom,
} from './browser.mjs';

/**
 * Ends {@code user}'s stream of the room page: it carries the room and the user's notifications channel; removed
 * from the notifications first (the page ignores that channel's resync), then from the room, it ends.
 */
async function dropStream(room, user) {
    // (other tests' pages of the same user may still be on the notifications channel: at least this one)
    assert.ok((await api('DELETE', `/sse/channels/private-${user}/users/${user}`)).closed >= 1);
    assert.deepEqual(await api('DELETE', `/sse/channels/${room}/users/${user}`), { closed: 1 });
}

const browser = useBrowser();

test('after the server drops its stream, the htmx page reconnects with Last-Event-ID and shows every message once', async () => {
    const room = uniqueRoom('reconnect');
    await withHtmxRoom(browser(), room, ['alice', 'bob'], async (alice, bob) => {
        // watch bob's page: stream requests (with their headers), errors, opens and EventSources created by the extension
        const streamRequests = [];
        bob.on('request', request => {
            if (new URL(request.url()).pathname === streamPath(room)) {
                streamRequests.push({ at: Date.now(), headers: request.allHeaders().catch(e => ({ error: e.message })) });
            }
        });
        await bob.evaluate(() => {
            window.sseLog = { errors: 0, opens: 0, created: 0 };
            document.body.addEventListener('htmx:sseError', () => window.sseLog.errors++);
            document.body.addEventListener('htmx:sseOpen', () => window.sseLog.opens++);
            const create = htmx.createEventSource;
            htmx.createEventSource = url => { window.sseLog.created++; return create(url); };
        });

        assert.equal(await post(alice, 'before the drop'), 204);
        await messagesReach(bob, 1, 1);

        // the server closes bob's stream (the page's one stream carries the room and bob's notifications: removed
        // from both, it ends)
        await dropStream(room, 'bob');
        await bob.waitForFunction(() => window.sseLog.errors >= 1, null, { timeout: TIMEOUT });

        // alice posts while bob is away
        const missed = ['while away 1', 'while away 2', 'while away 3'];
        for (const text of missed) {
            assert.equal(await post(alice, text), 204);
        }
        await messagesReach(alice, 4, 4);
        const postedAt = Date.now();
        assert.equal(streamRequests.length, 0,
            'bob reconnected before alice had posted: the test could not check the replay (reconnect too fast?)');

        // bob's browser reconnects by itself and gets the missed messages from the replay
        await messagesReach(bob, 4, 4);
        assert.equal(streamRequests.length, 1, 'one reconnect request');
        assert.ok(streamRequests[0].at >= postedAt);
        const headers = await streamRequests[0].headers;
        assert.match(headers['last-event-id'] ?? '', /^\S+-\d+$/,
            `the reconnect request carries Last-Event-ID (headers: ${JSON.stringify(headers)})`);
        const log = await bob.evaluate(() => window.sseLog);
        assert.equal(log.created, 0, 'the EventSource reconnected itself; the extension did not create a new one');
        assert.equal(log.opens, 1);
        await presenceIs(alice, ['alice', 'bob']);
        await presenceIs(bob, ['alice', 'bob']);

        // one more live message: once it is shown, any duplicate of the replay would already be there too
        assert.equal(await post(alice, 'after the reconnect'), 204);
        await messagesReach(bob, 5, 5);
        const expected = ['before the drop', ...missed, 'after the reconnect'].map(text => `alice: ${text}`);
        assert.deepEqual(await items(bob, '#messages'), expected, 'every message exactly once, in order');
        assert.deepEqual(await items(alice, '#messages'), expected);
    });
});

test('after a failed reconnect, the EventSource htmx-ext-sse re-creates resumes too', async () => {
    const room = uniqueRoom('recreate');
    await withHtmxRoom(browser(), room, ['alice', 'bob'], async (alice, bob) => {
        await bob.evaluate(() => {
            window.sseLog = { created: 0 };
            const create = htmx.createEventSource;
            htmx.createEventSource = url => { window.sseLog.created++; return create(url); };
        });
        assert.equal(await post(alice, 'before the drop'), 204);
        await messagesReach(bob, 1, 1);

        // the browser's own reconnect is answered 503 (as a proxy might during a redeploy): the
        // EventSource fails (readyState CLOSED) and the extension creates a new one 500 ms later
        // (while a route is set, Playwright does not report the Last-Event-ID header Chromium sends)
        let streamRequests = 0;
        await bob.route(url => url.pathname === streamPath(room), async route => {
            if (++streamRequests === 1) {
                await route.fulfill({ status: 503, contentType: 'text/plain', body: 'unavailable' });
            } else {
                await route.continue();
            }
        });
        await dropStream(room, 'bob');
        const missed = ['while away 1', 'while away 2'];
        for (const text of missed) {
            assert.equal(await post(alice, text), 204);
        }
        await messagesReach(alice, 3, 3);
        assert.equal(streamRequests, 0, 'bob reconnected before alice had posted');

        // bob is back within the presence leave grace: alice's presence never showed him leaving, so wait for
        // the failed reconnect and the new EventSource themselves
        await until('the failed reconnect, then the new EventSource', () => streamRequests, n => n >= 2);
        await presenceIs(alice, ['alice', 'bob']);
        assert.equal(streamRequests, 2, 'the failed reconnect, then the new EventSource');
        assert.equal(await bob.evaluate(() => window.sseLog.created), 1, 'the extension created a new EventSource');

        assert.equal(await post(alice, 'after the reconnect'), 204);
        await messagesReach(alice, 4, 4);
        await bob.waitForFunction(() => [...document.querySelectorAll('#messages > li')]
            .some(li => li.textContent === 'alice: after the reconnect'), null, { timeout: TIMEOUT });
        const expected = ['before the drop', ...missed, 'after the reconnect'].map(text => `alice: ${text}`);
        assert.deepEqual(await items(bob, '#messages'), expected,
            'the messages posted while bob was away arrive once: the new EventSource resumed from the URL');
    });
});
