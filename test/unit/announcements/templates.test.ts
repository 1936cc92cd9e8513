import { describe, expect, it } from 'vitest';
import {
  joinNames,
  templatesFor,
  renderBatch,
  validateTemplate,
  type AnnouncementKind,
  type AnnouncementTemplates,
} from '../../../src/features/announcements/templates.js';
import type { AnnouncementBatch } from '../../../src/features/announcements/voiceEventBatcher.js';
import { phrasesIn } from '../../support/spokenPhrases.js';

const EN = phrasesIn('en-US');
const DEFAULT_TEMPLATES = templatesFor({ join: null, leave: null, move: null }, EN);

function batch(parts: Partial<AnnouncementBatch>): AnnouncementBatch {
  return { joined: [], left: [], moved: [], ...parts };
}

describe('joinNames', () => {
  it.each([
    { names: [], expected: '' },
    { names: ['Alice'], expected: 'Alice' },
    { names: ['Alice', 'Bob'], expected: 'Alice and Bob' },
    { names: ['Alice', 'Bob', 'Carol'], expected: 'Alice, Bob and Carol' },
    { names: ['A', 'B', 'C', 'D', 'E'], expected: 'A, B, C, D and E' },
    { names: ['A', 'B', 'C', 'D', 'E', 'F'], expected: 'A, B, C and 3 others' },
    { names: ['Alice', 'Bob', 'Carol', 'D', 'E', 'F', 'G'], expected: 'Alice, Bob, Carol and 4 others' },
  ])('$names → "$expected"', ({ names, expected }) => {
    expect(joinNames(names, EN)).toBe(expected);
  });
});

describe('renderBatch', () => {
  const cases: { name: string; batch: AnnouncementBatch; templates?: AnnouncementTemplates; expected: string }[] = [
    { name: 'one join', batch: batch({ joined: ['Alice'] }), expected: 'Alice joined' },
    { name: 'two joins', batch: batch({ joined: ['Alice', 'Bob'] }), expected: 'Alice and Bob joined' },
    { name: 'three joins', batch: batch({ joined: ['Alice', 'Bob', 'Carol'] }), expected: 'Alice, Bob and Carol joined' },
    {
      name: 'seven joins',
      batch: batch({ joined: ['Alice', 'Bob', 'Carol', 'Dan', 'Eve', 'Fay', 'Gus'] }),
      expected: 'Alice, Bob, Carol and 4 others joined',
    },
    { name: 'a leave', batch: batch({ left: ['Carol'] }), expected: 'Carol left' },
    { name: 'a move', batch: batch({ moved: [{ name: 'Dan', channel: 'Lounge' }] }), expected: 'Dan moved to Lounge' },
    {
      name: 'several kinds, in the order join, leave, move',
      batch: batch({ joined: ['Alice', 'Bob'], left: ['Carol'], moved: [{ name: 'Dan', channel: 'Lounge' }] }),
      expected: 'Alice and Bob joined. Carol left. Dan moved to Lounge',
    },
    {
      name: 'moves to the same channel are merged, one sentence per channel in first-seen order',
      batch: batch({
        moved: [
          { name: 'Dan', channel: 'Lounge' },
          { name: 'Eve', channel: 'Games' },
          { name: 'Fay', channel: 'Lounge' },
        ],
      }),
      expected: 'Dan and Fay moved to Lounge. Eve moved to Games',
    },
    { name: 'an empty batch says nothing', batch: batch({}), expected: '' },
    {
      name: 'custom templates',
      batch: batch({ joined: ['Alice'], left: ['Bob', 'Carol'], moved: [{ name: 'Dan', channel: 'Lounge' }] }),
      templates: { join: 'Welcome {name}!', leave: 'Bye {name}', move: '{name} went to {channel}, bye {name}' },
      expected: 'Welcome Alice! Bye Bob and Carol. Dan went to Lounge, bye Dan',
    },
    {
      name: 'a name containing a placeholder or $ is spoken as written',
      batch: batch({ moved: [{ name: '{channel} $& guy', channel: 'Lounge' }] }),
      expected: '{channel} $& guy moved to Lounge',
    },
  ];

  it.each(cases)('$name', (c) => {
    expect(renderBatch(c.batch, c.templates ?? DEFAULT_TEMPLATES, EN)).toBe(c.expected);
  });

  // Found by the property tests.
  it('moves to dozens of channels stay one speech request: sentences past 4096 characters are left out', () => {
    const moved = Array.from({ length: 60 }, (_, i) => ({ name: `Member ${i}`, channel: `${'x'.repeat(95)}${i}` }));
    const text = renderBatch({ joined: [], left: [], moved }, DEFAULT_TEMPLATES, EN);
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text.startsWith(`Member 0 moved to ${'x'.repeat(95)}0. Member 1 moved`)).toBe(true);
  });

  it('only blank words to say renders to nothing (no blank request)', () => {
    expect(renderBatch({ joined: [], left: [], moved: [{ name: '', channel: '   ' }] }, { ...DEFAULT_TEMPLATES, move: '{name}{channel}' }, EN)).toBe('');
  });
});

describe('validateTemplate', () => {
  const ok: [AnnouncementKind, string][] = [
    ['join', DEFAULT_TEMPLATES.join],
    ['leave', DEFAULT_TEMPLATES.leave],
    ['move', DEFAULT_TEMPLATES.move],
    ['join', 'Hello {name}, welcome!'],
    ['move', '{name} went over to {channel}'],
    ['move', '{name} left us'],
    ['leave', `{name}${'x'.repeat(94)}`],
  ];

  it.each(ok)('%s: "%s" is accepted', (kind, text) => {
    expect(validateTemplate(kind, text)).toEqual({ ok: true });
  });

  const bad: { kind: AnnouncementKind; text: string; reason: string }[] = [
    { kind: 'join', text: '', reason: 'The template is empty: write 1 to 100 characters that include {name}.' },
    { kind: 'join', text: '   ', reason: 'The template is empty: write 1 to 100 characters that include {name}.' },
    {
      kind: 'leave',
      text: `{name}${'x'.repeat(95)}`,
      reason: 'The template is 101 characters long; at most 100 are allowed.',
    },
    { kind: 'join', text: 'Someone joined', reason: 'The template must include {name}; the join template may use {name}.' },
    { kind: 'move', text: 'To {channel}', reason: 'The template must include {name}; the move template may use {name} and {channel}.' },
    {
      kind: 'join',
      text: '{name} joined {channel}',
      reason: '{channel} only works in the move template: the join template may use {name}.',
    },
    { kind: 'leave', text: '{user} left', reason: 'Unknown placeholder {user}: the leave template may use {name}.' },
    { kind: 'move', text: '{name} to {Channel}', reason: 'Unknown placeholder {Channel}: the move template may use {name} and {channel}.' },
    { kind: 'join', text: '{name} joined {}', reason: 'Unknown placeholder {}: the join template may use {name}.' },
    { kind: 'join', text: '{name joined', reason: 'Braces are only for placeholders: the join template may use {name}.' },
    { kind: 'join', text: '{{name}} joined', reason: 'Braces are only for placeholders: the join template may use {name}.' },
  ];

  it.each(bad)('$kind: "$text" is refused', ({ kind, text, reason }) => {
    expect(validateTemplate(kind, text)).toEqual({ ok: false, reason });
  });

  it('counts characters, not UTF-16 units', () => {
    expect(validateTemplate('join', `{name} ${'🎉'.repeat(93)}`)).toEqual({ ok: true });
  });
});
