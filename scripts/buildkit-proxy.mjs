#!/usr/bin/env node
// A BuildKit endpoint for buildx's `remote` driver, served by a Docker engine's built-in BuildKit.
//
// No standalone buildkitd exists on these machines (none in Debian or npm, no Docker Hub for moby/buildkit), yet a
// `remote` builder is what docker/setup-buildx-action's builder looks like to the action. Docker Engine already
// serves BuildKit's gRPC API: buildx's own `docker` driver reaches it by an HTTP upgrade of `POST /grpc` to `h2c`
// on the engine socket (buildx driver/docker/driver.go: `DialHijack(ctx, "/grpc", "h2c", …)`; moby
// client/hijack.go sends `Connection: Upgrade` + `Upgrade: h2c` and expects `101 Switching Protocols`), after which
// the connection carries plain HTTP/2 gRPC. So for each client connection this proxy opens one engine connection,
// performs that upgrade, and then copies bytes both ways. The remote driver's client speaks h2c with prior
// knowledge on the same stream, and runs its session (file sync, auth) as a gRPC stream on it (Control.Session),
// so no `/session` endpoint is needed.
//
//   node scripts/buildkit-proxy.mjs --listen /path/buildkit.sock --engine /path/docker.sock [--pidfile F]
//
// Listens on a unix socket only (mode 0600: BuildKit on a Docker engine is root-equivalent).
import { chmodSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'

function option(name) {
  const at = process.argv.indexOf(name)
  return at === -1 ? undefined : process.argv[at + 1]
}

const listen = option('--listen')
const engine = option('--engine')
const pidfile = option('--pidfile')
if (!listen || !engine) {
  process.stderr.write('usage: buildkit-proxy.mjs --listen SOCKET --engine DOCKER_SOCKET [--pidfile FILE]\n')
  process.exit(2)
}

/** The engine answers the upgrade with a status line and headers; anything after them is already HTTP/2. */
const MAX_HEADER_BYTES = 16 * 1024

function upgrade(client) {
  client.pause()
  const upstream = net.connect(engine)
  let head = Buffer.alloc(0)
  const fail = (why) => {
    process.stderr.write(`buildkit-proxy: ${why}\n`)
    client.destroy()
    upstream.destroy()
  }
  upstream.on('error', (error) => fail(`engine connection: ${error.message}`))
  client.on('error', () => upstream.destroy())
  upstream.on('connect', () => {
    upstream.write(
      'POST /grpc HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n',
    )
  })
  const onHead = (chunk) => {
    head = Buffer.concat([head, chunk])
    const end = head.indexOf('\r\n\r\n')
    if (end === -1) {
      if (head.length > MAX_HEADER_BYTES) fail('engine upgrade answer too long')
      return
    }
    upstream.off('data', onHead)
    const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1')
    if (!/^HTTP\/1\.1 101 /.test(status)) {
      fail(`engine refused the /grpc upgrade: ${status}`)
      return
    }
    const rest = head.subarray(end + 4)
    if (rest.length > 0) client.write(rest)
    upstream.pipe(client)
    client.pipe(upstream)
    client.resume()
  }
  upstream.on('data', onHead)
  upstream.on('close', () => client.destroy())
  client.on('close', () => upstream.destroy())
}

rmSync(listen, { force: true })
const open = new Set()
const server = net.createServer((client) => {
  open.add(client)
  client.on('close', () => open.delete(client))
  upgrade(client)
})
server.on('error', (error) => {
  process.stderr.write(`buildkit-proxy: ${error.message}\n`)
  process.exit(1)
})
const oldMask = process.umask(0o177)
server.listen(listen, () => {
  process.umask(oldMask)
  chmodSync(listen, 0o600)
  if (pidfile) writeFileSync(pidfile, `${process.pid}\n`)
  process.stderr.write(`buildkit-proxy: ${listen} -> ${engine} /grpc (h2c)\n`)
})
// A builder may keep its connection open: stop at once rather than wait for every client to hang up.
const stop = () => {
  server.close()
  for (const client of open) client.destroy()
  rmSync(listen, { force: true })
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
