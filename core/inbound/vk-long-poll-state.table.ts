/** The VK Bots Long Poll position per community (see migrations/2026-11-26T1100_vk-long-poll.ts). */
export interface VkLongPollStateTable {
  group_id: string;
  /** VK's opaque event counter, kept as text as VK sends it. */
  ts: string;
  updated_at: Date;
}

export interface VkLongPollStateTables {
  vk_long_poll_state: VkLongPollStateTable;
}
