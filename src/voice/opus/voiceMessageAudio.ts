import OpusScript from 'opusscript';
import { AudioFormatError } from './errors.js';
import type { OpusHead } from './oggDemuxer.js';
import { oggOpusDurationSecs, readOggOpus, withInputRate48k } from './oggOpusFile.js';
import { frameToPacket, packetFrames } from './toc.js';
import { encodeWaveform, waveformPoints } from './waveform.js';

/** A voice message's audio and the metadata Discord requires with it. */
export interface VoiceMessageAudio {
  /** Ogg Opus, one channel, OpusHead input rate 48000. */
  data: Buffer;
  durationSecs: number;
  /** base64, one byte per point, 1–256 points. */
  waveform: string;
}

/**
 * What an Ogg Opus stream needs to become a voice message like the ones Discord's clients upload (one channel, 48 kHz):
 * nothing; only its OpusHead's informational input rate rewritten; or re-encoding (more than one channel).
 */
export function voiceMessageFit(head: OpusHead): 'ready' | 'relabel' | 'transcode' {
  if (head.channels !== 1 || head.mappingFamily !== 0) return 'transcode';
  return head.inputSampleRate === 48_000 ? 'ready' : 'relabel';
}

/** Packets decoded between two turns of the event loop: about 0.5 s of audio, a few ms of work (opusscript is WASM). */
const PACKETS_PER_TURN = 25;

/**
 * Decodes the packets of a mono stream to 48 kHz samples, pre-skip removed, cut to the granule-given length. Decoding
 * costs about 8 ms per second of audio on this machine's cores, all on the main thread: it gives the event loop back
 * every PACKETS_PER_TURN packets, so the voice clock (20 ms) and the gateway never wait for a long voice message.
 */
export async function decodeMono(packets: readonly Buffer[], preSkip: number, totalSamples: number): Promise<Int16Array> {
  const codec = new OpusScript(48_000, 1, OpusScript.Application.AUDIO);
  const parts: Buffer[] = [];
  try {
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i]!;
      for (const frame of packetFrames(packet)) parts.push(codec.decode(frameToPacket(packet[0]!, frame)));
      if ((i + 1) % PACKETS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (err) {
    throw new AudioFormatError('malformed_packet', `Opus packet could not be decoded: ${(err as Error).message}`);
  } finally {
    codec.delete();
  }
  const pcm = Buffer.concat(parts);
  const all = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.length / 2));
  return all.slice(Math.min(preSkip, all.length), Math.min(all.length, preSkip + totalSamples));
}

/**
 * Turns a mono Ogg Opus file into a voice message: its duration (from the last granule position) and a waveform of
 * the decoded audio; a 24 kHz-labelled head is relabelled. A stream that needs re-encoding is an AudioFormatError
 * (`unsupported`): transcode it to mono first.
 */
export async function voiceMessageAudio(ogg: Buffer): Promise<VoiceMessageAudio> {
  const file = readOggOpus(ogg);
  const fit = voiceMessageFit(file.head);
  if (fit === 'transcode') throw new AudioFormatError('unsupported', `voice messages need one channel, got ${file.head.channels}`);
  const durationSecs = oggOpusDurationSecs(file);
  const samples = await decodeMono(file.packets, file.head.preSkip, Math.round(durationSecs * 48_000));
  if (samples.length === 0) throw new AudioFormatError('undecodable', 'no audio in the voice message');
  return {
    data: fit === 'relabel' ? withInputRate48k(ogg) : ogg,
    durationSecs: Math.round(durationSecs * 100) / 100,
    waveform: encodeWaveform(waveformPoints(samples, 48_000)),
  };
}
