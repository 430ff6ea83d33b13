import type { Room, Wechaty } from 'wechaty'
import type { Clock } from '../../clock.js'
import { errorSummary, type Logger } from '../../log.js'

/** The staff group chat, found by its topic, with a cached member list. */
export interface StaffRoom {
  /** The room (looked up again when the cache is stale); undefined when there is none, or several share the topic. */
  find(): Promise<Room | undefined>
  /** Whether the contact was a member at the last lookup. Synchronous, for `isStaff`. */
  hasMember(contactId: string): boolean
  /** Records a contact just seen speaking in the staff room (it is a member even if the cache predates it). */
  noteMember(contactId: string): void
  /** Forgets the cached lookup (a topic changed, login/logout). */
  invalidate(): void
  /** Forgets the cached lookup if it is about this room (someone joined or left it). */
  roomChanged(roomId: string): void
}

export interface StaffRoomDeps {
  readonly bot: Wechaty
  readonly topic?: string
  readonly clock: Clock
  readonly logger: Logger
  /** How long a found room and its members are trusted without an event saying they changed. */
  readonly ttlMs?: number
  /** How long "no such room" is remembered, so a missing room does not cost a search per message. */
  readonly missTtlMs?: number
}

interface Snapshot {
  readonly room: Room | undefined
  readonly members: Set<string>
  readonly at: number
}

/**
 * Finds the staff room by topic. A topic is not a secure name: anyone can create a group with the
 * bot and give it the same topic. When more than one room has the topic, none is trusted (fail
 * closed, logged) rather than guessing and possibly showing requests to outsiders.
 */
export function createStaffRoom(deps: StaffRoomDeps): StaffRoom {
  const { bot, topic, clock, logger } = deps
  const ttlMs = deps.ttlMs ?? 5 * 60_000
  const missTtlMs = deps.missTtlMs ?? 30_000
  let snapshot: Snapshot | undefined
  let inflight: Promise<Snapshot> | undefined
  let generation = 0

  async function lookup(): Promise<Snapshot> {
    const started = generation
    const at = clock.now().getTime()
    let result: Snapshot
    try {
      const rooms = await bot.Room.findAll({ topic: topic! })
      if (rooms.length > 1) logger.error({ event: 'wechaty.staff_room.ambiguous', rooms: rooms.length }, 'several rooms share the staff room topic; none is trusted')
      const room = rooms.length === 1 ? rooms[0] : undefined
      const members = new Set(room ? (await room.memberAll()).map((c) => c.id) : [])
      if (!room) logger.warn({ event: 'wechaty.staff_room.missing' })
      result = { room, members, at }
    } catch (error) {
      // Not cached: the puppet may simply not be logged in yet.
      logger.warn({ event: 'wechaty.staff_room.lookup_failed', ...errorSummary(error) })
      return { room: undefined, members: new Set(), at }
    }
    // A change event during the lookup makes its answer stale: keep it for this caller only.
    if (started === generation) snapshot = result
    return result
  }

  function invalidate(): void {
    generation++
    snapshot = undefined
  }

  const fresh = (s: Snapshot): boolean => clock.now().getTime() - s.at < (s.room ? ttlMs : missTtlMs)

  return {
    async find() {
      if (!topic) return undefined
      if (snapshot && fresh(snapshot)) return snapshot.room
      inflight ??= lookup().finally(() => {
        inflight = undefined
      })
      return (await inflight).room
    },
    hasMember: (contactId) => snapshot?.members.has(contactId) ?? false,
    noteMember(contactId) {
      snapshot?.members.add(contactId)
    },
    invalidate,
    roomChanged(roomId) {
      // While a lookup is running its result is unknown: drop it to be safe.
      if (inflight || snapshot?.room?.id === roomId) invalidate()
    },
  }
}
