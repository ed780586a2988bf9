// The example's htmx room page (/rooms/rooms/{room}/htmx) in headless Chromium, with the real htmx
// 2.0.11 and htmx-ext-sse 2.2.4 the application serves: delivery to every user in order, the presence
// list, the out-of-band counter, and one user in several tabs (also as the library's admin page shows it).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
    TARGET, adminRowIs, api, messagesReach, openAdminPage, openHtmxRoom, post, postAndSeeOnEveryPage, presenceIs,
    uniqueRoom, until, useBrowser, withHtmxRoom, withSignedIn,
} from './browser.mjs';

describe('htmx room page', () => {
    const browser = useBrowser();

    test('two users see every message in order, each other in #presence, and the counter advance', async () => {
        const room = uniqueRoom('htmx');
        await withHtmxRoom(browser(), room, ['alice', 'bob'], async (alice, bob) => {
            assert.equal(await alice.locator('#counter').textContent(), '0');

            // each message is appended to #messages (sse-swap="message") and the counter, outside the swap
            // target, is replaced out of band (hx-swap-oob), in both pages
            await postAndSeeOnEveryPage([alice, bob],
                [[alice, 'alice', 'first'], [bob, 'bob', 'second'], [alice, 'alice', 'third <b>&']]);
            await alice.screenshot({ path: join(TARGET, 'room-htmx.png'), fullPage: true });

            await bob.context().close();
            // bob's stream is gone: the server notices (at the latest on a heartbeat) and re-renders presence
            await presenceIs(alice, ['alice']);
        });
    });

    test('three tabs of one user are one user in #presence and three connections', async () => {
        const room = uniqueRoom('tabs');
        await withSignedIn(browser(), ['carol', 'alice'], async (carolContext, adminContext) => {
            const tabs = [];
            for (let i = 0; i < 3; i++) {
                tabs.push(await openHtmxRoom(carolContext, room, 'carol'));
            }
            for (const tab of tabs) {
                await presenceIs(tab, ['carol']);
            }
            const users = await until('three connections of carol',
                () => api('GET', `/sse/channels/${room}/users`),
                body => body.users.length === 3);
            assert.deepEqual(users, { channel: room, users: ['carol', 'carol', 'carol'], distinctUsers: ['carol'] });

            // the library's admin page (alice is broadcaster-admin) shows the same, live
            const admin = await openAdminPage(adminContext);
            await adminRowIs(admin, room, { connections: '3', users: '1', tabs: ['carol (3 tabs)'] });

            // a message posted in one tab reaches all three
            assert.equal(await post(tabs[1], 'from the middle tab'), 204);
            for (const tab of tabs) {
                await messagesReach(tab, 1, 1);
            }

            // closing one tab leaves two connections, and carol still online once
            await tabs[0].close();
            const left = await until('two connections of carol',
                () => api('GET', `/sse/channels/${room}/users`),
                body => body.users.length === 2);
            assert.deepEqual(left.distinctUsers, ['carol']);
            await presenceIs(tabs[2], ['carol']);
            await adminRowIs(admin, room, { connections: '2', users: '1', tabs: ['carol (2 tabs)'] });
        });
    });
});
