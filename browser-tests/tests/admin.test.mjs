// The library's live admin page (<base>/sse/admin, role broadcaster-admin: alice) in headless Chromium,
// next to the example's htmx room pages: it follows joins and leaves without reloading, and its
// Disconnect button (confirmed in a dialog) closes a user's streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
    BASE_URL, CONTEXT_PATH, TARGET, adminRowIs, openAdminPage, openHtmxRoom, presenceIs, uniqueRoom, until, useBrowser,
    withSignedIn,
} from './browser.mjs';

const browser = useBrowser();

test('the admin page follows a room live and disconnects a user from it', async () => {
    const room = uniqueRoom('admin');
    await withSignedIn(browser(), ['alice', 'bob'], async (aliceContext, bobContext) => {
        const admin = await openAdminPage(aliceContext);
        const alice = await openHtmxRoom(aliceContext, room, 'alice');
        await adminRowIs(admin, room, { connections: '1', users: '1', tabs: ['alice'] });

        const bobTabs = [await openHtmxRoom(bobContext, room, 'bob'), await openHtmxRoom(bobContext, room, 'bob')];
        await presenceIs(alice, ['alice', 'bob']);
        await adminRowIs(admin, room, { connections: '3', users: '2', tabs: ['alice', 'bob (2 tabs)'] });
        await admin.screenshot({ path: join(TARGET, 'admin.png'), fullPage: true });

        // Disconnect bob: the page asks first, then calls DELETE .../users/bob
        const dialogs = [];
        admin.on('dialog', dialog => { dialogs.push(dialog.message()); dialog.accept(); });
        const row = admin.locator('#channels > tr').filter({ has: admin.locator('td:first-child', { hasText: room }) });
        const [response] = await Promise.all([
            admin.waitForResponse(r => r.request().method() === 'DELETE'),
            row.locator('li', { hasText: 'bob' }).getByRole('button', { name: 'Disconnect' }).click(),
        ]);
        assert.equal(response.status(), 200);
        assert.equal(new URL(response.url()).pathname, `${CONTEXT_PATH}/sse/channels/${room}/users/bob`);
        assert.deepEqual(dialogs, [`Disconnect "bob" (all tabs) from channel "${room}"?`]);
        await until('the admin page reporting the disconnect', () => admin.locator('#message').textContent(),
            text => text === `Disconnected bob from ${room}: 2 connection(s) closed`);
        // both of bob's streams left the room (they stay open on bob's notifications channel and get a resync of
        // the room, reason removed); the pages reload 1 to 2 s later and join again
        await adminRowIs(admin, room, { connections: '1', users: '1', tabs: ['alice'] });
        for (const tab of bobTabs) {
            await presenceIs(tab, ['alice', 'bob']);
        }
        await adminRowIs(admin, room, { connections: '3', users: '2', tabs: ['alice', 'bob (2 tabs)'] });
    });
});

test('the admin page is for broadcaster-admin only', async () => {
    await withSignedIn(browser(), ['bob'], async bobContext => {
        const page = await bobContext.newPage();
        const response = await page.goto(`${BASE_URL}/sse/admin`);
        assert.equal(response.status(), 403);
    });
});
