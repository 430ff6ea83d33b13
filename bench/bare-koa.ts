/**
 * The bench's baseline: a bare Koa server answering a constant string, started in its own process
 * exactly as the service is, so the two are loaded under the same conditions.
 */
import Koa from 'koa'

/** With BUSY_MICROS set, each request first spins the CPU that long: a control with a known cost. */
const busyMs = Number(process.env.BUSY_MICROS ?? 0) / 1000

const app = new Koa()
app.use((ctx) => {
  if (busyMs > 0) {
    const until = performance.now() + busyMs
    while (performance.now() < until) {
      // spinning on purpose
    }
  }
  ctx.body = 'success'
})
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address()
  console.log(JSON.stringify({ event: 'service.ready', port: typeof address === 'object' && address ? address.port : 0 }))
})
process.on('SIGTERM', () => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
})
