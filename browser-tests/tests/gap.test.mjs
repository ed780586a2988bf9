// No gap between page and stream: the example's room pages render the position of their stream (the room and the
// user's notifications channel) and open the stream from it. Here each page's stream request is held back while
// messages and a notification are published; once it goes through, the page shows every one of them, once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
    BASE_URL, TIMEOUT, basicAuth, items, publish, streamPath, uniqueRoom, until, useBrowser, withSignedIn,
} from './browser.mjs';

/** Posts a message to the room as {@code user}, as another page's form would (server-side, no Origin). */
async function postMessage(room, user, text) {
    const response = await fetch(`${BASE_URL}/rooms/${room}/messages`, {
        method: 'POST',
        headers: { Authorization: basicAuth(user), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ text }),
    });
    assert.equal(response.status, 204, await response.text());
}

/** Opens {@code path} with its stream request held until the returned release() is called. */
async function openWithStreamHeld(context, room, path) {
    const page = await context.newPage();
    let release;
    const held = new Promise(resolve => { release = resolve; });
    let asked = 0;
    await page.route(url => url.pathname === streamPath(room), async route => {
        asked++;
        await held;
        await route.continue();
    });
    const response = await page.goto(`${BASE_URL}/rooms/${room}${path}`);
    assert.equal(response.status(), 200);
    await until('the page asked for its stream', () => asked, n => n > 0);
    return { page, release };
}

function waitForItems(page, selector, count) {
    return page.waitForFunction(({ selector, count }) => document.querySelectorAll(`${selector} > li`).length >= count,
        { selector, count }, { timeout: TIMEOUT });
}

describe('no gap between a page and its stream', () => {
    const browser = useBrowser();

    // the htmx page only: the Datastar page loads Datastar from its CDN, which these machines cannot reach
    for (const [kind, path] of [['htmx', '/htmx']]) {
        test(`the ${kind} page shows the 5 messages published after its render and before its stream, once`, async () => {
            const room = uniqueRoom(`gap-${kind.toLowerCase()}`);
            await withSignedIn(browser(), ['bob'], async context => {
                const { page, release } = await openWithStreamHeld(context, room, path);
                const sent = [];
                for (let n = 1; n <= 5; n++) {
                    await postMessage(room, 'alice', `gap ${n}`);
                    sent.push(`alice: gap ${n}`);
                }
                if (kind === 'htmx') {
                    // to bob's notifications channel through the library's HTTP endpoint, as alice
                    await publish('private-bob', 'notification', '<li>for bob, while the stream was held</li>');
                }
                release();
                await waitForItems(page, '#messages', 5);
                // one more, live: once it is there, anything repeated would be there too
                await postMessage(room, 'alice', 'live');
                await waitForItems(page, '#messages', 6);
                assert.deepEqual(await items(page, '#messages'), [...sent, 'alice: live']);
                if (kind === 'htmx') {
                    assert.equal(await page.locator('#counter').textContent(), '6');
                    await waitForItems(page, '#notifications', 1);
                    assert.deepEqual(await items(page, '#notifications'), ['for bob, while the stream was held']);
                } else {
                    assert.equal(await page.locator('#count').textContent(), '6');
                }
            });
        });
    }
});
