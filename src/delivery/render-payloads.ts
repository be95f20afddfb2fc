import { z } from "zod";
import type { DeliveryPayload, RenderFn, RenderResult } from "./types.js";

/**
 * Every kind of delivery rendered at send time, with the schema of its stored data. A payload is
 * checked against its schema when it is rendered (it may come back from the store after an
 * upgrade), so renderers only ever see well-formed data.
 */
export const RENDER_SCHEMAS = {
  /** One new article; `related` chosen once per article when it was handed off. */
  article: z.object({ articleId: z.string().min(1), related: z.array(z.string()).optional(), paid: z.boolean().optional() }),
} as const;

/** A render type. */
export type RenderType = keyof typeof RENDER_SCHEMAS;
/** The data of a render type. */
export type RenderData<T extends RenderType> = z.infer<(typeof RENDER_SCHEMAS)[T]>;

/** The stored payload of one render type. */
export function renderPayload<T extends RenderType>(type: T, data: RenderData<T>): DeliveryPayload {
  return { kind: "render", type, data };
}

/** One renderer per type. */
export type Renderers = { [T in RenderType]: (chatId: number, data: RenderData<T>) => Promise<RenderResult> };

/** The delivery queue's render function: validates the payload, then hands it to its type's renderer. */
export function renderRegistry(renderers: Renderers): RenderFn {
  return (chatId, payload) => {
    if (!(payload.type in RENDER_SCHEMAS)) return Promise.resolve({ action: "skip", reason: `unknown render type ${payload.type}` });
    const type = payload.type as RenderType;
    const parsed = RENDER_SCHEMAS[type].safeParse(payload.data);
    if (!parsed.success) return Promise.resolve({ action: "skip", reason: `invalid ${type} payload` });
    return renderers[type](chatId, parsed.data);
  };
}
