// HTTP/2 without the shared script: the example's htmx room page over https (Open Liberty's TLS port, HTTP/2
// negotiated by ALPN, the test server's self-signed certificate accepted by the browser context). On HTTP/1.1 a
// browser opens at most six connections per origin and each page's stream holds one, so a user's seventh tab (and
// any other page load of the origin) hangs; over HTTP/2 every stream is a stream of one connection.
//
// What is checked as a user would see it: twelve tabs of one user, each with its own stream (the room and the
// user's private channel), all become live and all receive a message posted afterwards; the browser carried all
// twelve streams on one connection (Chromium's own connection ids, read through the DevTools protocol); the
// server counts twelve connections on the room; another page load of the origin still completes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
    HTTPS_BASE_URL, api, launch, messagesReach, post, presenceIs, signedIn, uniqueRoom, until,
} from './browser.mjs';

const TABS = 12;

/**
 * Opens the htmx page of {@code room} over https in a new tab, recording the protocol and connection id of each
 * response the tab receives into {@code responses}; waits until the tab's stream is open (carol is in #presence).
 */
async function openOverHttps(context, room, responses) {
    const page = await context.newPage();
    const devtools = await context.newCDPSession(page);
    devtools.on('Network.responseReceived', ({ response }) => responses.push({
        url: response.url, protocol: response.protocol, connection: response.connectionId,
    }));
    await devtools.send('Network.enable');
    const response = await page.goto(`${HTTPS_BASE_URL}/rooms/${room}/htmx`);
    assert.equal(response.status(), 200, `GET ${response.url()}`);
    await presenceIs(page, null, 'carol');
    return page;
}

describe('HTTP/2', () => {
    let browser;
    before(async () => { browser = await launch(); });
    after(async () => { await browser?.close(); });

    test(`${TABS} tabs of one user, a stream each, are all live on one HTTP/2 connection`, async () => {
        const room = uniqueRoom('h2');
        const context = await signedIn(browser, 'carol', { tls: true });
        try {
            const responses = [];
            const started = Date.now();
            const tabs = [];
            // one after the other, each live before the next opens: on HTTP/1.1 the seventh page load would hang
            for (let i = 0; i < TABS; i++) {
                tabs.push(await openOverHttps(context, room, responses));
            }
            console.log(`# ${TABS} tabs live over HTTP/2 in ${Date.now() - started} ms`);

            // every tab's stream was answered over HTTP/2, all on one connection of the browser
            const streams = responses.filter(r => new URL(r.url).pathname.endsWith(`/rooms/${room}/stream`));
            assert.equal(streams.length, TABS, `stream responses: ${JSON.stringify(streams)}`);
            assert.deepEqual([...new Set(streams.map(r => r.protocol))], ['h2']);
            assert.equal(new Set(streams.map(r => r.connection)).size, 1,
                `connections of the streams: ${JSON.stringify(streams.map(r => r.connection))}`);
            // ... while the server holds one stream per tab on the room
            const listed = Date.now();
            await until(`${TABS} connections on ${room}`,
                async () => (await api('GET', '/sse/channels')).channels.find(c => c.name === room)?.connections,
                connections => connections === TABS);
            console.log(`# server lists ${TABS} connections after ${Date.now() - listed} ms`);

            // a message posted now reaches every tab
            const posted = Date.now();
            assert.equal(await post(tabs[0], 'over h2'), 204);
            const arrivals = await Promise.all(tabs.map(async tab => {
                await messagesReach(tab, 1, 1);
                return Date.now() - posted;
            }));
            console.log(`# a message posted reached the ${TABS} tabs after ${arrivals.join(', ')} ms`);
            for (const tab of tabs) {
                await presenceIs(tab, ['carol']);
            }

            // other page loads of the origin still complete while the twelve streams are open
            const extra = await context.newPage();
            const loadStarted = Date.now();
            const index = await extra.goto(`${HTTPS_BASE_URL}/`);
            assert.equal(index.status(), 200);
            console.log(`# a further page load with ${TABS} streams open: ${Date.now() - loadStarted} ms`);
        } finally {
            await context.close();
        }
    });
});
