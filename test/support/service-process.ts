import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface RunningService {
  readonly port: number
  readonly baseUrl: string
  readonly child: ChildProcess
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>
}

/**
 * Starts the real service exactly as a user would (`npm start`) on a free port, and waits until it is
 * ready. `direct` runs the same entry point without npm in between, to observe its own exit code.
 */
export async function startService(env: Record<string, string>, timeoutMs = 30_000, options: { direct?: boolean } = {}): Promise<RunningService> {
  // npm would put itself between us and the service, so signals go to the whole process group.
  const [cmd, args] = options.direct ? [process.execPath, ['--import', 'tsx', 'src/main.ts']] : ['npm', ['start', '--silent']]
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  // The pipe closes once the last process holding it (npm, then the service) has gone.
  const drained = new Promise<void>((resolve) => child.stdout!.once('close', () => resolve()))

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service not ready in ${timeoutMs} ms:\n${out}`)), timeoutMs)
    const check = (): void => {
      const m = /"event":"service\.ready","port":(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    }
    child.stdout!.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`service exited with ${code}:\n${out}`))
    })
  })
  // npm may exit before the service it started: wait until nothing of the process group is left.
  const groupGone = async (): Promise<void> => {
    const deadline = Date.now() + 10_000
    for (;;) {
      try {
        process.kill(-child.pid!, 0)
      } catch {
        await Promise.race([drained, new Promise((r) => setTimeout(r, 1_000))])
        return
      }
      if (Date.now() > deadline) {
        signal('SIGKILL')
        return
      }
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig)
    } catch {
      /* already gone */
    }
  }
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    stop: async () => {
      signal('SIGTERM')
      const code = await exited
      await groupGone()
      return code
    },
    kill: async () => {
      signal('SIGKILL')
      await exited
      await groupGone()
    },
  }
}

/** The service's /healthz answer: status and body. */
export async function healthOf(service: RunningService): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${service.baseUrl}/healthz`)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}
