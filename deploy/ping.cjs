// Health probe: sends PING to the node on 127.0.0.1:$CINNABAR_PORT (6379 unless set) as
// `redis-cli ping` does and exits 0 on +PONG (or -LOADING/-MASTERDOWN/-NOAUTH: the process
// serves), 1 on anything else or after 2 s. CommonJS, so it needs no module resolution.
const net = require('node:net');

const port = Number(process.env.CINNABAR_PORT || 6379);
const socket = net.connect(port, '127.0.0.1');
const timer = setTimeout(() => { process.stderr.write('no reply within 2000 ms\n'); process.exit(1); }, 2000);
let reply = '';
socket.on('data', (chunk) => {
  reply += chunk.toString('latin1');
  if (!reply.includes('\r\n')) return;
  clearTimeout(timer);
  const line = reply.slice(0, reply.indexOf('\r\n'));
  process.stdout.write(`${line}\n`);
  process.exit(/^(\+PONG|-LOADING|-MASTERDOWN|-NOAUTH)/.test(line) ? 0 : 1);
});
socket.on('error', (err) => { process.stderr.write(`${err.message}\n`); process.exit(1); });
socket.write('*1\r\n$4\r\nPING\r\n');
