import { liveEmulators } from './channelEmulator';
import { invokeCardErrors } from './teamsRules';

/**
 * Runs after every test: a card Teams could not render (or could not refresh) that the bot sent during the test fails
 * that test, with the errors the Adaptive Cards SDK reported.
 */
afterEach(() => {
  const errors = [...liveEmulators().flatMap((e) => e.takeCardErrors()), ...invokeCardErrors.splice(0)];
  if (errors.length) {
    throw new Error(`Teams would refuse or mis-render ${errors.length} card(s) sent in this test:\n${errors.map((e) => `- ${e.where}${e.conversationId ? ` to ${e.conversationId}` : ''}: ${e.errors.join('; ')}`).join('\n')}`);
  }
});
