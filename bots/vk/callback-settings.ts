/** The VK API version the bot speaks (vk-io 4's default) and announces in the Callback API settings. */
export const VK_API_VERSION = '5.199';

/**
 * The Callback API events the community must send: messages and their edits (answered "edits are not
 * taken", as in Telegram), button presses, permission changes, wall posts and comments.
 */
export const VK_EVENT_TYPES = ['message_new', 'message_edit', 'message_event', 'message_allow', 'message_deny', 'wall_post_new', 'wall_reply_new'] as const;
