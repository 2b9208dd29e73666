/**
 * The workflow's webhook inbox on its own (pure, deterministic): de-duplication by webhook id,
 * which notices settle a turn, unknown event types, and orphans of the create window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookInbox, noticeProblem, noticeSettles } from '../../workflows/webhook-inbox';

test('inbox: a webhook id counts once; malformed notices are dropped', () => {
  const inbox = new WebhookInbox();
  assert.equal(inbox.accept({ webhookId: 'm1', eventType: 'interaction.completed', interactionId: 'v1_a', turn: 1 }), true);
  assert.equal(inbox.accept({ webhookId: 'm1', eventType: 'interaction.completed', interactionId: 'v1_a', turn: 1 }), false);
  assert.equal(inbox.duplicates, 1);
  assert.equal(inbox.accept({ webhookId: '', eventType: 'x', interactionId: 'v1_a' }), false);
  assert.equal(noticeProblem({ webhookId: 'm', eventType: 'e', interactionId: 'i', turn: 0 }), 'turn must be a positive integer');
  assert.equal(inbox.version, 1);
});

test('inbox: completed/failed/requires_action settle; an unknown event settles only through a settled status', () => {
  assert.equal(noticeSettles({ webhookId: 'a', eventType: 'interaction.failed', interactionId: 'i' }), true);
  assert.equal(noticeSettles({ webhookId: 'a', eventType: 'interaction.requires_action', interactionId: 'i' }), true);
  assert.equal(noticeSettles({ webhookId: 'a', eventType: 'interaction.progress_future', interactionId: 'i' }), false);
  assert.equal(noticeSettles({ webhookId: 'a', eventType: 'interaction.progress_future', interactionId: 'i', status: 'budget_exceeded' }), true);
  const inbox = new WebhookInbox();
  inbox.accept({ webhookId: 'm1', eventType: 'interaction.progress_future', interactionId: 'v1_a', turn: 1 });
  assert.equal(inbox.settlingFor('v1_a'), undefined);
  assert.ok(inbox.anyFor('v1_a'), 'an unknown event still nudges a GET check');
});

test('inbox: a notice naming the turn with another interaction is an orphan, reported once', () => {
  const inbox = new WebhookInbox();
  inbox.accept({ webhookId: 'm1', eventType: 'interaction.completed', interactionId: 'v1_orphan', turn: 1 });
  inbox.accept({ webhookId: 'm2', eventType: 'interaction.completed', interactionId: 'v1_real', turn: 1 });
  inbox.accept({ webhookId: 'm3', eventType: 'interaction.completed', interactionId: 'v1_other_turn', turn: 2 });
  assert.equal(inbox.hasOrphans(1, 'v1_real'), true);
  assert.deepEqual(
    inbox.newOrphans(1, 'v1_real').map((n) => n.interactionId),
    ['v1_orphan'],
  );
  assert.equal(inbox.hasOrphans(1, 'v1_real'), false);
  assert.deepEqual(inbox.newOrphans(1, 'v1_real'), []);
  assert.ok(inbox.settlingFor('v1_real'));
});
