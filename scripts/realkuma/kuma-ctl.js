// usage: NODE_PATH=<src>/node_modules node kuma-ctl.js URL SETUP_RESULT_JSON CMD [ARG [ARG2]]
// opkuma's real-server test harness (internal/realkuma): drives Uptime Kuma over socket.io as
// the setup's admin (SETUP_RESULT_JSON of setup.sh). One JSON answer on stdout; errors on stderr, exit 1.
//   add '{"name":..,"interval":..,"maxretries":..}'  -> {"monitorID":..,"pushToken":..,"version":..}
//   add-many N '{"name":..}'  -> N push monitors named "NAME I" in one session: [{"monitorID":..,"pushToken":..}, ...]
//   pause ID | resume ID | delete ID
//   addnotif '{"webhookURL":..}' -> {"notificationID":..} | delnotif ID
//   maint ID (manual maintenance on monitor ID) -> {"maintenanceID":..} | delmaint ID
const { io } = require("socket.io-client");
const crypto = require("crypto");
const [url, resfile, cmd, arg, arg2] = process.argv.slice(2);
const creds = require(resfile);
const rnd = (n) => { const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"; let s = ""; for (const b of crypto.randomBytes(n)) s += a[b % 62]; return s; };
const socket = io(url, { transports: ["websocket"], reconnection: false });
const die = (m) => { console.error("kuma-ctl: " + m); process.exit(1); };
setTimeout(() => die("timed out"), 60000 + (cmd === "add-many" ? 1000 * (Number(arg) || 0) : 0)).unref();
let version = "", gotInfo; const info = new Promise((r) => { gotInfo = r; });
socket.on("info", (i) => { if (i && i.version) version = String(i.version); gotInfo(); });
const call = (ev, ...args) => new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${ev}: no answer`)), 30000);
    socket.emit(ev, ...args, (r) => { clearTimeout(t); res(r); });
});
socket.on("connect", async () => {
    try {
        await Promise.race([info, new Promise((r) => setTimeout(r, 10000))]);
        await new Promise((r) => setTimeout(r, 300));
        let r = await call("login", { username: creds.username, password: creds.password, token: "" });
        if (!r.ok) die("login: " + r.msg);
        for (let i = 0; i < 50 && !version; i++) await new Promise((r) => setTimeout(r, 100));
        const push = (o) => {
            const m = Object.assign({ type: "push", name: "t", pushToken: rnd(32), interval: 3600, retryInterval: 60,
                resendInterval: 0, maxretries: 0, accepted_statuscodes: ["200-299"], notificationIDList: {}, active: true }, o);
            if (parseInt(version, 10) >= 2) m.conditions = m.conditions || [];
            return m;
        };
        if (cmd === "add") {
            const m = push(JSON.parse(arg || "{}"));
            r = await call("add", m);
            if (!r.ok) die("add: " + r.msg);
            console.log(JSON.stringify({ monitorID: r.monitorID, pushToken: m.pushToken, version }));
        } else if (cmd === "add-many") { // one login for all: a login per monitor costs a bcrypt each
            const n = Number(arg), o = JSON.parse(arg2 || "{}"), out = [];
            if (!(n > 0)) die("add-many: N must be a positive number, not " + arg);
            for (let i = 0; i < n; i++) {
                const m = push(Object.assign({}, o, { name: (o.name || "t") + " " + i }));
                r = await call("add", m);
                if (!r.ok) die(`add-many: monitor ${i}: ${r.msg}`);
                out.push({ monitorID: r.monitorID, pushToken: m.pushToken });
            }
            console.log(JSON.stringify(out));
        } else if (cmd === "pause" || cmd === "resume") {
            r = await call(cmd + "Monitor", Number(arg));
            console.log(JSON.stringify(r));
        } else if (cmd === "delete") {
            r = parseInt(version, 10) >= 2 ? await call("deleteMonitor", Number(arg), false) : await call("deleteMonitor", Number(arg));
            console.log(JSON.stringify(r));
        } else if (cmd === "addnotif") {
            const o = Object.assign({ name: "slow-webhook", type: "webhook", webhookContentType: "json", isDefault: false, applyExisting: false }, JSON.parse(arg));
            r = await call("addNotification", o, null);
            if (!r.ok) die("addNotification: " + r.msg);
            console.log(JSON.stringify({ notificationID: r.id }));
        } else if (cmd === "maint") { // manual maintenance, active, on monitor ARG
            const m = { title: "opkuma-maint", description: "", strategy: "manual", active: true, intervalDay: 1,
                dateRange: [], timeRange: [{ hours: 2, minutes: 0 }, { hours: 3, minutes: 0 }], weekdays: [], daysOfMonth: [],
                timezoneOption: "UTC", cron: "30 3 * * *", durationMinutes: 60 };
            r = await call("addMaintenance", m);
            if (!r.ok) die("addMaintenance: " + r.msg);
            const r2 = await call("addMonitorMaintenance", r.maintenanceID, [{ id: Number(arg) }]);
            if (!r2.ok) die("addMonitorMaintenance: " + r2.msg);
            console.log(JSON.stringify({ maintenanceID: r.maintenanceID }));
        } else if (cmd === "delnotif" || cmd === "delmaint") {
            r = await call(cmd === "delnotif" ? "deleteNotification" : "deleteMaintenance", Number(arg));
            console.log(JSON.stringify(r));
        } else die("unknown command " + cmd);
        process.exit(0);
    } catch (e) { die(e.message); }
});
