// Shared helpers of the browser tests: Debian's Chromium driven by playwright-core, the example
// application's URLs and users, and polling waits (every wait has a deadline; none is a fixed sleep).
import { chromium } from 'playwright-core';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The example application's context root, e.g. http://localhost:9080/rooms (set by ./run). */
export const BASE_URL = (process.env.BASE_URL ?? 'http://localhost:9080/rooms').replace(/\/$/, '');

/** The path of BASE_URL, e.g. /rooms. */
export const CONTEXT_PATH = new URL(BASE_URL).pathname;

/** The same application over https (HTTP/2 with a self-signed certificate), e.g. https://localhost:9443/rooms. */
export const HTTPS_BASE_URL = (process.env.HTTPS_BASE_URL ?? 'https://localhost:9443/rooms').replace(/\/$/, '');

/** Where screenshots go: browser-tests/target/. */
export const TARGET = join(dirname(fileURLToPath(import.meta.url)), '..', 'target');
mkdirSync(TARGET, { recursive: true });

/** Default deadline of a wait. A dropped client is noticed within about two heartbeats (1 s in ./run). */
export const TIMEOUT = 15_000;

export function launch() {
    return chromium.launch({
        executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
}

/**
 * Launches Chromium before the tests of the current file (or describe block) and closes it after them; returns a
 * function that answers the browser.
 */
export function useBrowser() {
    let browser;
    before(async () => { browser = await launch(); });
    after(async () => { await browser?.close(); });
    return () => browser;
}

/**
 * A browser context signed in as {@code user} (HTTP Basic, password <user>-pw, as the browser's prompt would);
 * with {@code tls}, one that accepts the test server's self-signed certificate.
 */
export function signedIn(browser, user, { tls = false } = {}) {
    return browser.newContext({
        httpCredentials: { username: user, password: `${user}-pw` },
        viewport: { width: 900, height: 460 },
        ignoreHTTPSErrors: tls,
    });
}

/** Runs {@code body} with a context signed in as each of {@code users}, in order; closes them all after it. */
export async function withSignedIn(browser, users, body) {
    const contexts = [];
    try {
        for (const user of users) {
            contexts.push(await signedIn(browser, user));
        }
        return await body(...contexts);
    } finally {
        for (const context of contexts) {
            await context.close();
        }
    }
}

/**
 * Runs {@code body} with the htmx page of {@code room} open for each of {@code users}, each in a context signed in as
 * the user, once every page lists them all in #presence; closes the contexts after it.
 */
export function withHtmxRoom(browser, room, users, body) {
    return withSignedIn(browser, users, async (...contexts) => {
        const pages = [];
        for (const [i, context] of contexts.entries()) {
            pages.push(await openHtmxRoom(context, room, users[i]));
        }
        for (const page of pages) {
            await presenceIs(page, users);
        }
        return body(...pages);
    });
}

/** The path of the example's stream of {@code room} (the room and the user's notifications channel). */
export function streamPath(room) {
    return `${CONTEXT_PATH}/rooms/${room}/stream`;
}

/** The value of an {@code Authorization} header that signs in as {@code user} (HTTP Basic). */
export function basicAuth(user) {
    return 'Basic ' + Buffer.from(`${user}:${user}-pw`).toString('base64');
}

/** A room name no other test (or earlier run on the same server) used. */
export function uniqueRoom(prefix) {
    return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Opens {@code path} under {@code base} (default BASE_URL) in a new tab of {@code context}; fails unless 200. */
export async function openPage(context, path, { base = BASE_URL } = {}) {
    const page = await context.newPage();
    const response = await page.goto(`${base}${path}`);
    if (response.status() !== 200) {
        throw new Error(`GET ${response.url()}: ${response.status()}`);
    }
    return page;
}

/**
 * Opens the htmx page of {@code room} from {@code base} (default BASE_URL) in a new tab and waits until its
 * stream is open (its own user is in #presence).
 */
export async function openHtmxRoom(context, room, user, { base = BASE_URL } = {}) {
    const page = await openPage(context, `/rooms/${room}/htmx`, { base });
    await presenceIs(page, null, user);
    return page;
}

/**
 * Opens the htmx 4 page of {@code room} (hx-sse:connect) in a new tab and waits until its stream is open (its own
 * user is in #presence).
 */
export async function openHtmx4Room(context, room, user) {
    const page = await openPage(context, `/rooms/${room}/htmx4`);
    await presenceIs(page, null, user);
    return page;
}

/**
 * Opens the htmx page of {@code room} whose stream the browser's tabs share (client.js) and waits until its stream
 * is open (its own user is in #presence).
 */
export async function openSharedRoom(context, room, user) {
    const page = await openPage(context, `/rooms/${room}/shared`);
    await presenceIs(page, null, user);
    return page;
}

/** The texts of the <li> elements under {@code selector}. */
export function items(page, selector) {
    return page.locator(`${selector} > li`).allTextContents();
}

/**
 * Waits until #presence lists exactly {@code users} (any order); with {@code users} null, until it
 * contains {@code mustContain}.
 */
export async function presenceIs(page, users, mustContain) {
    const expected = users ? [...users].sort() : null;
    try {
        await page.waitForFunction(({ expected, mustContain }) => {
            const names = [...document.querySelectorAll('#presence > li')].map(li => li.textContent).sort();
            return expected ? JSON.stringify(names) === JSON.stringify(expected) : names.includes(mustContain);
        }, { expected, mustContain }, { timeout: TIMEOUT });
    } catch (e) {
        throw new Error(`#presence of ${page.url()} should be ${JSON.stringify(expected ?? `containing ${mustContain}`)}`
            + `, is ${JSON.stringify(await items(page, '#presence'))}: ${e.message}`);
    }
}

/** Waits until #messages holds {@code count} items and #counter reads {@code counter}. */
export async function messagesReach(page, count, counter) {
    try {
        await page.waitForFunction(({ count, counter }) =>
            document.querySelectorAll('#messages > li').length === count
            && document.querySelector('#counter')?.textContent === String(counter),
        { count, counter }, { timeout: TIMEOUT });
    } catch (e) {
        throw new Error(`${page.url()}: expected ${count} messages and counter ${counter}, have `
            + `${JSON.stringify(await items(page, '#messages'))} and counter `
            + `${await page.locator('#counter').textContent()}: ${e.message}`);
    }
}

/** Types {@code text} into the page's message input and submits the form; returns the POST's status. */
export async function post(page, text) {
    const input = page.locator('form input[name="text"]');
    await input.fill('');
    await input.pressSequentially(text);
    const [response] = await Promise.all([
        page.waitForResponse(r => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/messages'),
            { timeout: TIMEOUT }),
        page.locator('form button').click(),
    ]);
    return response.status();
}

/**
 * Posts {@code posts} ([page, user, text] each: the user's page posts the text through its form) one after the other,
 * waiting after each until every one of {@code pages} shows it and the counter (out of band); then checks that every
 * page lists them all in order, as text (not HTML), and that the posting forms were reset.
 */
export async function postAndSeeOnEveryPage(pages, posts) {
    for (const [i, [page, , text]] of posts.entries()) {
        assert.equal(await post(page, text), 204);
        for (const each of pages) {
            await messagesReach(each, i + 1, i + 1);
        }
    }
    const expected = posts.map(([, user, text]) => `${user}: ${text}`);
    for (const each of pages) {
        assert.deepEqual(await items(each, '#messages'), expected);
        assert.equal(await each.locator('#messages b').count(), 0, 'the text was escaped, not interpreted');
    }
    for (const [page] of posts) {
        assert.equal(await page.locator('form input[name="text"]').inputValue(), '', 'the form was reset');
    }
}

/** A JSON request to the library's endpoints as {@code user} (Basic auth sent up front). */
export async function api(method, path, user = 'alice') {
    const response = await fetch(`${BASE_URL}${path}`, {
        method,
        headers: { Authorization: basicAuth(user), Accept: 'application/json' },
    });
    const body = await response.text();
    if (!response.ok) {
        throw new Error(`${method} ${path}: ${response.status} ${body}`);
    }
    return JSON.parse(body);
}

/** Publishes the named event {@code event} with {@code data} to {@code channel} as alice (a publisher); expects 202. */
export async function publish(channel, event, data) {
    const response = await fetch(`${BASE_URL}/sse/channels/${channel}`, {
        method: 'POST',
        headers: { Authorization: basicAuth('alice'), 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'event', event, data }),
    });
    assert.equal(response.status, 202, `POST /sse/channels/${channel}: ${await response.text()}`);
}

/** Polls {@code probe} until {@code accept(value)} holds; fails with the last value after {@code timeout} ms. */
export async function until(what, probe, accept, timeout = TIMEOUT) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
        last = await probe();
        if (accept(last)) {
            return last;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeout} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
        }
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}

/** Opens the library's admin page (needs the role broadcaster-admin) and waits until its feed is live. */
export async function openAdminPage(context) {
    const page = await openPage(context, '/sse/admin');
    await page.locator('#state.live').waitFor({ timeout: TIMEOUT });
    return page;
}

/** The admin page's row of {@code channel}: its cells and the users column's entries, or null. */
export function adminRow(page, channel) {
    return page.evaluate(channel => {
        const row = [...document.querySelectorAll('#channels > tr')]
            .find(tr => tr.cells[0].textContent === channel);
        return row ? {
            connections: row.cells[1].textContent,
            users: row.cells[2].textContent,
            history: row.cells[3].textContent,
            tabs: [...row.cells[4].querySelectorAll('li > span')].map(span => span.textContent),
        } : null;
    }, channel);
}

/** Waits until the admin page's row of {@code channel} has the given connections, users and tabs entries. */
export function adminRowIs(page, channel, { connections, users, tabs }) {
    return until(`admin page row of ${channel}: ${connections} connections, ${users} users, ${tabs}`,
        () => adminRow(page, channel),
        row => row !== null && row.connections === connections && row.users === users
            && JSON.stringify(row.tabs) === JSON.stringify(tabs));
}
