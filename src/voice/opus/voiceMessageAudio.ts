import OpusScript from 'opusscript';
import { AudioFormatError } from './errors.js';
import type { OpusHead } from './oggDemuxer.js';
import { oggOpusDurationSecs, readOggOpus, withInputRate48k, type OggOpusFile } from './oggOpusFile.js';
import { frameToPacket, packetFrames } from './toc.js';
import { encodeWaveform, WaveformBuilder } from './waveform.js';

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
 * Decodes the packets of a mono stream at 48 kHz, pre-skip removed and cut to the granule-given length, handing the
 * samples to `sink` packet by packet (nothing holds the whole clip). Decoding costs a few ms per second of audio, all
 * on the main thread: it gives the event loop back every PACKETS_PER_TURN packets, so the voice clock (20 ms) and the
 * gateway never wait for a long voice message. Returns the number of samples handed over.
 */
export async function decodeMono(packets: readonly Buffer[], preSkip: number, totalSamples: number, sink: (samples: Int16Array) => void): Promise<number> {
  const codec = new OpusScript(48_000, 1, OpusScript.Application.AUDIO);
  let skip = preSkip;
  let left = totalSamples;
  try {
    for (let i = 0; i < packets.length && left > 0; i++) {
      const packet = packets[i]!;
      for (const frame of packetFrames(packet)) {
        const pcm = codec.decode(frameToPacket(packet[0]!, frame));
        let samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.length / 2));
        const dropped = Math.min(skip, samples.length);
        skip -= dropped;
        samples = samples.subarray(dropped, dropped + Math.min(left, samples.length - dropped));
        left -= samples.length;
        if (samples.length > 0) sink(samples);
      }
      if ((i + 1) % PACKETS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (err) {
    throw new AudioFormatError('malformed_packet', `Opus packet could not be decoded: ${(err as Error).message}`);
  } finally {
    codec.delete();
  }
  return totalSamples - left;
}

/**
 * Turns a mono Ogg Opus file into a voice message: its duration (from the last granule position) and a waveform of
 * the decoded audio; a 24 kHz-labelled head is relabelled. A stream that needs re-encoding is an AudioFormatError
 * (`unsupported`): transcode it to mono first. `file` is `ogg` already read (readOggOpus), when the caller has it.
 */
export async function voiceMessageAudio(ogg: Buffer, file: OggOpusFile = readOggOpus(ogg)): Promise<VoiceMessageAudio> {
  const fit = voiceMessageFit(file.head);
  if (fit === 'transcode') throw new AudioFormatError('unsupported', `voice messages need one channel, got ${file.head.channels}`);
  const durationSecs = oggOpusDurationSecs(file);
  const total = Math.round(durationSecs * 48_000);
  const waveform = new WaveformBuilder(total, 48_000);
  const decoded = await decodeMono(file.packets, file.head.preSkip, total, (samples) => waveform.add(samples));
  if (decoded === 0) throw new AudioFormatError('undecodable', 'no audio in the voice message');
  return {
    data: fit === 'relabel' ? withInputRate48k(ogg) : ogg,
    durationSecs: Math.round(durationSecs * 100) / 100,
    waveform: encodeWaveform(waveform.points()),
  };
}
