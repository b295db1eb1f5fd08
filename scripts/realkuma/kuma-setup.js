// usage: NODE_PATH=<src>/node_modules node kuma-setup.js URL RESULT_JSON [VERSION_TAG]   (run by setup.sh)
// opkuma's real-server test harness: on a fresh Uptime Kuma, the first admin user, login and one
// push monitor; writes {"pushToken":...,"monitorID":...,"username":...,"password":...} to RESULT_JSON.
const { io } = require("socket.io-client");
const crypto = require("crypto");
const fs = require("fs");
const [url, out, tag] = process.argv.slice(2);
const rnd = (n) => { const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"; let s = ""; for (const b of crypto.randomBytes(n)) s += a[b % 62]; return s; };
const socket = io(url, { transports: ["websocket"], reconnection: false, timeout: 20000 });
const call = (ev, ...args) => new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${ev}: no answer in 30 s`)), 30000);
    socket.emit(ev, ...args, (r) => { clearTimeout(t); res(r); });
});
// The server registers its handlers only after it has sent "info" (2.x awaits it): an event
// emitted before that is dropped. Wait for "info", then ask needSetup until it answers.
let gotInfo, version = "";
const info = new Promise((res) => { gotInfo = res; });
socket.on("info", (i) => { if (i && i.version) version = String(i.version); gotInfo(); });
const needSetup = async () => {
    await Promise.race([ info, new Promise((r) => setTimeout(r, 10000)) ]);
    for (let i = 0; i < 20; i++) {
        const r = await new Promise((res) => {
            const t = setTimeout(() => res(undefined), 1500);
            socket.emit("needSetup", (v) => { clearTimeout(t); res(v); });
        });
        if (r !== undefined) return r;
    }
    throw new Error("needSetup: no answer");
};
const die = (m) => { console.error("kuma-setup: " + m); process.exit(1); };
setTimeout(() => die("timed out"), 120000).unref();
socket.on("connect_error", (e) => die("cannot connect to " + url + ": " + e.message));
socket.on("connect", async () => {
    try {
        const username = "admin", password = "Kx9-" + rnd(20);
        if (!(await needSetup())) die(`Uptime Kuma ${version} is already set up (needSetup=false): start from an empty data dir`);
        let r = await call("setup", username, password);
        if (!r.ok) die("setup: " + r.msg);
        r = await call("login", { username, password, token: "" });
        if (!r.ok) die("login: " + r.msg);
        // The version comes with the "info" sent after login (hidden before it); else the tag given.
        for (let i = 0; i < 50 && !version; i++) await new Promise((r) => setTimeout(r, 100));
        version = version || tag || "";
        const pushToken = rnd(32);
        const monitor = {
            type: "push", name: "opkuma-test", pushToken,
            interval: 60, retryInterval: 60, resendInterval: 0, maxretries: 0,
            accepted_statuscodes: ["200-299"], notificationIDList: {}, active: true,
        };
        // 2.x: monitor.conditions is NOT NULL (the UI sends [] for it); 1.23 has no such column.
        if (parseInt(version, 10) >= 2) monitor.conditions = [];
        r = await call("add", monitor);
        if (!r.ok) die("add monitor: " + r.msg);
        fs.writeFileSync(out, JSON.stringify({ pushToken, monitorID: r.monitorID, username, password }, null, 2) + "\n", { mode: 0o600 });
        console.log(`kuma-setup: Uptime Kuma ${version || "?"}: push monitor ${r.monitorID} created, token saved to ${out}`);
        socket.close();
        process.exit(0);
    } catch (e) { die(e.message); }
});
