/**
 * An open-loop load generator: sends requests at a fixed pace whatever the server does, and times
 * each from the moment it was due, so a stall shows in the latency of every request it delays
 * (no coordinated omission). autocannon's own rate limit releases each second's quota as a burst,
 * which measures saturation latency again rather than latency at that rate.
 */
import http from 'node:http'

export interface PacedResult {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly errors: number
  readonly non2xx: number
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

export async function paced(url: string, seconds: number, rate: number, next: () => { path: string; body: string }): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 })
  const target = new URL(url)
  const total = Math.round(seconds * rate)
  const latencies: number[] = []
  let errors = 0
  let non2xx = 0
  const start = performance.now()
  const inFlight: Array<Promise<void>> = []

  const send = (dueAt: number): Promise<void> => {
    const { path, body } = next()
    return new Promise<void>((resolve) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path, method: 'POST', agent, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) non2xx++
          res.resume()
          res.on('end', () => {
            latencies.push(performance.now() - dueAt)
            resolve()
          })
        },
      )
      req.on('error', () => {
        errors++
        resolve()
      })
      req.end(body)
    })
  }

  for (let i = 0; i < total; i++) {
    const dueAt = start + (i * 1000) / rate
    const wait = dueAt - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    inFlight.push(send(dueAt))
  }
  await Promise.all(inFlight)
  const elapsed = (performance.now() - start) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return {
    rps: latencies.length / elapsed,
    p50: Math.round(percentile(latencies, 50) * 10) / 10,
    p99: Math.round(percentile(latencies, 99) * 10) / 10,
    max: Math.round((latencies[latencies.length - 1] ?? NaN) * 10) / 10,
    errors,
    non2xx,
  }
}
