/**
 * `client.webhooks`: project-level webhook subscriptions (`/webhooks`). Same route, auth, retry
 * policy and deadlines as the interactions calls; on Vertex the project/location prefix applies.
 */

import type { CallMaker, CallSpec, RequestOptions } from './call-spec';
import { idSegment } from './routing';
import type { Webhook, WebhookCreateRequest, WebhookListParams, WebhookListResponse, WebhookRotateRequest, WebhookRotateResponse, WebhookUpdateRequest } from './types';
import { validateId } from './validate';

export interface WebhookUpdateOptions extends RequestOptions {
  /** Fields to update; default: the keys present in the body. */
  update_mask?: string | string[];
}

export class Webhooks {
  constructor(private readonly client: CallMaker) {}

  private call<T>(spec: CallSpec): Promise<T> {
    return this.client.request<T>(spec);
  }

  /** Create a subscription; `new_signing_secret` is returned only here. Not retried (not idempotent). */
  create(body: WebhookCreateRequest, opts: RequestOptions = {}): Promise<Webhook> {
    return this.call({ method: 'POST', path: '/webhooks', body, idempotent: false, opts });
  }

  /** List subscriptions (one page). */
  list(params: WebhookListParams = {}, opts: RequestOptions = {}): Promise<WebhookListResponse> {
    return this.call({
      method: 'GET',
      path: '/webhooks',
      query: { page_size: params.page_size, page_token: params.page_token },
      idempotent: true,
      opts,
    });
  }

  get(id: string, opts: RequestOptions = {}): Promise<Webhook> {
    validateId(id);
    return this.call({ method: 'GET', path: `/webhooks/${idSegment(id, 'webhooks')}`, idempotent: true, opts });
  }

  /** PATCH with `update_mask` (comma-separated field names). */
  update(id: string, body: WebhookUpdateRequest, opts: WebhookUpdateOptions = {}): Promise<Webhook> {
    validateId(id);
    const mask = opts.update_mask ?? Object.keys(body).filter((k) => (body as Record<string, unknown>)[k] !== undefined);
    return this.call({
      method: 'PATCH',
      path: `/webhooks/${idSegment(id, 'webhooks')}`,
      query: { update_mask: Array.isArray(mask) ? mask.join(',') : mask },
      body,
      idempotent: true,
      opts,
    });
  }

  async delete(id: string, opts: RequestOptions = {}): Promise<void> {
    validateId(id);
    await this.call({ method: 'DELETE', path: `/webhooks/${idSegment(id, 'webhooks')}`, idempotent: true, opts });
  }

  /** Send a test delivery (`POST …/{id}:ping`, body `{}`). */
  async ping(id: string, opts: RequestOptions = {}): Promise<void> {
    validateId(id);
    await this.call({ method: 'POST', path: `/webhooks/${idSegment(id, 'webhooks')}:ping`, body: {}, idempotent: true, opts });
  }

  /** Rotate the signing secret (`POST …/{id}:rotateSigningSecret`); returns the new secret once. Not retried. */
  rotateSigningSecret(id: string, body: WebhookRotateRequest = {}, opts: RequestOptions = {}): Promise<WebhookRotateResponse> {
    validateId(id);
    return this.call({
      method: 'POST',
      path: `/webhooks/${idSegment(id, 'webhooks')}:rotateSigningSecret`,
      body,
      idempotent: false,
      opts,
    });
  }
}
