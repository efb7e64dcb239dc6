// SPDY/3.1 framing and header compression against bytes written out by hand from the draft's
// layouts, and zlib contexts other than the session's own (one-shot inflate/deflate with the dictionary).
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { constants, deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SPDY3_DICTIONARY } from '../src/server/spdy/dictionary.js';
import { controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, FLAG_FIN, FrameReader, FrameType, parseSettings, parseSynStream, synStreamPayload, twoWords } from '../src/server/spdy/frames.js';
import { HeaderCompressor, HeaderDecompressor } from '../src/server/spdy/headerCodec.js';
import { negotiateStreamProtocol } from '../src/server/spdy/handshake.js';
import { expectedStreams, SPDY_COMMAND_PROTOCOLS, statusBytes } from '../src/server/handlers/remoteCommandSpdy.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('SPDY/3.1 frames', () => {
  it('the dictionary is the draft\'s 1423 bytes', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(createHash('sha256').update(SPDY3_DICTIONARY).digest('hex')).toBe('51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
    expect(SPDY3_DICTIONARY.subarray(0, 11)).toEqual(Buffer.from('\0\0\0\x07options'));
    expect(SPDY3_DICTIONARY.subarray(-7).toString()).toBe(',enq=0.');
  });

  it('encodes a SYN_STREAM, RST_STREAM, WINDOW_UPDATE and DATA frame byte for byte', () => {
    const block = Buffer.from('abc');
    expect(controlFrame(FrameType.SYN_STREAM, FLAG_FIN, synStreamPayload(1, 0, 0, block))).toEqual(hex('8003 0001 01 00000d 00000001 00000000 0000 616263'));
    expect(controlFrame(FrameType.RST_STREAM, 0, twoWords(3, 5))).toEqual(hex('8003 0003 00 000008 00000003 00000005'));
    expect(controlFrame(FrameType.WINDOW_UPDATE, 0, twoWords(0, 65536))).toEqual(hex('8003 0009 00 000008 00000000 00010000'));
    expect(dataFrame(5, FLAG_FIN, Buffer.from('hi'))).toEqual(hex('00000005 01 000002 6869'));
  });

  it('reads frames split at any byte, and a SETTINGS frame\'s entries', () => {
    const bytes = Buffer.concat([
      hex('8003 0004 00 00000c 00000001 00 000007 0000ffff'), // SETTINGS: INITIAL_WINDOW_SIZE 65535
      dataFrame(1, 0, Buffer.from('payload')),
      controlFrame(FrameType.SYN_STREAM, 0, synStreamPayload(3, 0, 2, Buffer.from('xyz'))),
    ]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = new FrameReader();
      const frames = [...r.feed(bytes.subarray(0, cut)), ...r.feed(bytes.subarray(cut))];
      expect(frames.map((f) => f.kind)).toEqual(['control', 'data', 'control']);
      const [settings, data, syn] = frames;
      if (settings!.kind !== 'control' || data!.kind !== 'data' || syn!.kind !== 'control') throw new Error('kinds');
      expect(parseSettings(settings.payload)).toEqual([{ flags: 0, id: 7, value: 0xffff }]);
      expect(data).toMatchObject({ streamId: 1, flags: 0, data: Buffer.from('payload') });
      expect(parseSynStream(syn.payload)).toMatchObject({ streamId: 3, associatedId: 0, priority: 2, headerBlock: Buffer.from('xyz') });
    }
  });

  it('refuses a frame of another SPDY version', () => {
    expect(() => new FrameReader().feed(hex('8002 0001 00 000000'))).toThrow('unsupported SPDY version 2');
  });

  it('lays out a header block as count, then length-prefixed lowercase names and values', () => {
    expect(encodeHeaderBlock({ StreamType: 'data', port: '80' })).toEqual(hex('00000002 0000000a 73747265616d74797065 00000004 64617461 00000004 706f7274 00000002 3830'));
    expect(decodeHeaderBlock(hex('00000001 00000001 61 00000001 62'))).toEqual({ a: 'b' });
    expect(() => decodeHeaderBlock(hex('00000001 00000005 61'))).toThrow('header block truncated');
  });

  it('compresses header blocks with the dictionary in one context: a one-shot inflate reads the first, ours reads a one-shot deflate', async () => {
    const c = new HeaderCompressor();
    const first = await c.compress({ streamtype: 'error', port: '8080', requestid: '0' });
    // A sync flush ends every block: 00 00 ff ff.
    expect(first.subarray(-4)).toEqual(hex('0000ffff'));
    const plain = inflateSync(first, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    expect(decodeHeaderBlock(plain)).toEqual({ streamtype: 'error', port: '8080', requestid: '0' });
    // The second block refers back into the first: it is only readable in the same context.
    const second = await c.compress({ streamtype: 'data', port: '8080', requestid: '0' });
    expect(second.length).toBeLessThan(first.length);
    const d = new HeaderDecompressor();
    expect(await d.decompress(first)).toEqual({ streamtype: 'error', port: '8080', requestid: '0' });
    expect(await d.decompress(second)).toEqual({ streamtype: 'data', port: '8080', requestid: '0' });
    c.close();
    d.close();

    const theirs = deflateSync(encodeHeaderBlock({ ':status': '200' }), { dictionary: SPDY3_DICTIONARY, flush: constants.Z_SYNC_FLUSH });
    const ours = new HeaderDecompressor();
    expect(await ours.decompress(theirs)).toEqual({ ':status': '200' });
    ours.close();
  });
});

describe('remotecommand over SPDY: negotiation, expected streams, status encoding', () => {
  const req = (value: string | string[] | undefined) => ({ headers: value === undefined ? {} : { 'x-stream-protocol-version': value } }) as unknown as IncomingMessage;

  it('takes the client\'s first protocol the server speaks, from repeated or comma-joined headers', () => {
    expect(negotiateStreamProtocol(req('v4.channel.k8s.io, v3.channel.k8s.io'), SPDY_COMMAND_PROTOCOLS)).toBe('v4.channel.k8s.io');
    expect(negotiateStreamProtocol(req(['v9.channel.k8s.io', 'channel.k8s.io,v2.channel.k8s.io']), SPDY_COMMAND_PROTOCOLS)).toBe('channel.k8s.io');
    expect(() => negotiateStreamProtocol(req(undefined), SPDY_COMMAND_PROTOCOLS)).toThrow('unable to upgrade: X-Stream-Protocol-Version is required');
    expect(() => negotiateStreamProtocol(req(' , '), SPDY_COMMAND_PROTOCOLS)).toThrow('X-Stream-Protocol-Version is required');
    expect(() => negotiateStreamProtocol(req('portforward.k8s.io'), SPDY_COMMAND_PROTOCOLS)).toThrow('client supports [portforward.k8s.io], server accepts [v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io]');
  });

  it('counts the error stream, each requested one, and resize only for a TTY on v3/v4', () => {
    const all = { stdin: true, stdout: true, stderr: false, tty: true };
    expect(expectedStreams('v4.channel.k8s.io', all)).toBe(4);
    expect(expectedStreams('v3.channel.k8s.io', all)).toBe(4);
    expect(expectedStreams('v2.channel.k8s.io', all)).toBe(3);
    expect(expectedStreams('channel.k8s.io', { stdin: false, stdout: true, stderr: true, tty: false })).toBe(3);
  });

  it('v4 sends the Status as JSON; older protocols a failure\'s message only', () => {
    const failure = { metadata: {}, status: 'Failure' as const, message: 'command terminated with non-zero exit code: exit code 2', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } };
    expect(JSON.parse(statusBytes('v4.channel.k8s.io', failure).toString())).toEqual(failure);
    expect(statusBytes('v4.channel.k8s.io', { metadata: {}, status: 'Success' }).toString()).toBe('{"metadata":{},"status":"Success"}');
    expect(statusBytes('v3.channel.k8s.io', failure).toString()).toBe(failure.message);
    expect(statusBytes('v2.channel.k8s.io', { metadata: {}, status: 'Success' }).length).toBe(0);
  });
});
