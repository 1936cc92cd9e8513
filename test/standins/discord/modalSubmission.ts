import { ComponentType } from 'discord-api-types/v10';

type Json = Record<string, any>;

function submitted(component: Json, values: Record<string, string | string[]>, used: Set<string>): Json {
  const id = component.custom_id as string;
  const value = values[id];
  if (value !== undefined) used.add(id);
  if (component.type === ComponentType.TextInput) {
    if (Array.isArray(value)) throw new Error(`text input '${id}' takes a string`);
    const text = value ?? component.value ?? '';
    if (component.required !== false && text === '') throw new Error(`text input '${id}' is required`);
    if (component.max_length !== undefined && text.length > component.max_length) throw new Error(`text input '${id}' allows at most ${component.max_length} characters`);
    if (text !== '' && component.min_length !== undefined && text.length < component.min_length) throw new Error(`text input '${id}' needs at least ${component.min_length} characters`);
    return { type: ComponentType.TextInput, custom_id: id, value: text };
  }
  if (component.type === ComponentType.StringSelect) {
    const chosen = value === undefined ? [] : Array.isArray(value) ? value : [value];
    const allowed = (component.options ?? []).map((o: Json) => o.value);
    const bad = chosen.filter((v) => !allowed.includes(v));
    if (bad.length > 0) throw new Error(`select '${id}' has no option(s) ${bad.join(', ')}`);
    if (component.required !== false && chosen.length < Math.max(1, component.min_values ?? 1)) throw new Error(`select '${id}' is required`);
    return { type: ComponentType.StringSelect, custom_id: id, values: chosen };
  }
  throw new Error(`modal component type ${component.type} is not supported by the stand-in`);
}

/**
 * The `components` of a MODAL_SUBMIT built from the modal the bot showed: text inputs (in action rows
 * or labels) and string selects (in labels), filled from `values` by custom_id. Throws on unknown ids
 * and missing required inputs, as a user could not submit those.
 */
export function modalSubmissionComponents(modal: Json, values: Record<string, string | string[]>): Json[] {
  const used = new Set<string>();
  const rows = (modal.components as Json[]).map((top) => {
    if (top.type === ComponentType.ActionRow) {
      return { type: ComponentType.ActionRow, components: (top.components as Json[]).map((c) => submitted(c, values, used)) };
    }
    if (top.type === ComponentType.Label) {
      return { type: ComponentType.Label, ...(top.id !== undefined ? { id: top.id } : {}), component: submitted(top.component as Json, values, used) };
    }
    return { type: top.type, ...(top.id !== undefined ? { id: top.id } : {}) };
  });
  const unknown = Object.keys(values).filter((id) => !used.has(id));
  if (unknown.length > 0) throw new Error(`the modal has no input(s) ${unknown.join(', ')}`);
  return rows;
}
