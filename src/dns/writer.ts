// Builds DNS messages: names compressed (RFC 1035 4.1.4, case-insensitive suffix match), every
// RData type of model.ts encoded. One Writer per message.
import type { RData } from '../model.ts';
import { ipv6Bytes, splitTxt } from './rdata.ts';
import { CLASS, TYPE } from './constants.ts';
import { lowerLabel } from './query.ts';

export interface WireRecord {
  /** owner labels (case as it should appear) */
  labels: string[];
  type: number;
  ttl: number;
  data: RData;
}

export class Writer {
  buf: Buffer;
  length = 0;
  readonly #pointers = new Map<string, number>();
  /** while frozen, names use the pointers known so far but add none (records that can be reordered) */
  #frozen = false;

  constructor(capacity = 4096) {
    this.buf = Buffer.alloc(capacity);
  }

  #ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.length + extra));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  u8(value: number): void {
    this.#ensure(1);
    this.buf[this.length++] = value & 0xff;
  }

  u16(value: number): void {
    this.#ensure(2);
    this.buf.writeUInt16BE(value & 0xffff, this.length);
    this.length += 2;
  }

  u32(value: number): void {
    this.#ensure(4);
    this.buf.writeUInt32BE(value >>> 0, this.length);
    this.length += 4;
  }

  bytes(data: Uint8Array): void {
    this.#ensure(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  freezePointers(frozen: boolean): void {
    this.#frozen = frozen;
  }

  /** A name from labels; `compress` false for SRV targets (RFC 2782) and anything a peer must not decompress. */
  name(labels: readonly string[], compress = true): void {
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).map(lowerLabel).join('.');
      const pointer = compress ? this.#pointers.get(suffix) : undefined;
      if (pointer !== undefined) {
        this.u16(0xc000 | pointer);
        return;
      }
      if (!this.#frozen && this.length < 0x4000 && !this.#pointers.has(suffix)) this.#pointers.set(suffix, this.length);
      const label = Buffer.from(labels[i] as string, 'latin1');
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  record(record: WireRecord): void {
    this.name(record.labels);
    this.u16(TYPE[record.data.type]);
    this.u16(CLASS.IN);
    this.u32(record.ttl);
    const lengthAt = this.length;
    this.u16(0);
    this.rdata(record.data);
    this.buf.writeUInt16BE(this.length - lengthAt - 2, lengthAt);
  }

  rdata(data: RData): void {
    switch (data.type) {
      case 'A':
        for (const part of data.address.split('.')) this.u8(Number(part));
        return;
      case 'AAAA':
        this.bytes(ipv6Bytes(data.address));
        return;
      case 'NS':
      case 'CNAME':
      case 'PTR':
        this.name(nameLabels(data.target));
        return;
      case 'MX':
        this.u16(data.preference);
        this.name(nameLabels(data.exchange));
        return;
      case 'TXT':
        for (const text of data.strings) {
          for (const part of splitTxt(text)) {
            const octets = Buffer.from(part, 'utf8');
            this.u8(octets.length);
            this.bytes(octets);
          }
        }
        return;
      case 'SRV':
        this.u16(data.priority);
        this.u16(data.weight);
        this.u16(data.port);
        this.name(nameLabels(data.target), false);
        return;
      case 'CAA': {
        const tag = Buffer.from(data.tag, 'latin1');
        this.u8(data.flags);
        this.u8(tag.length);
        this.bytes(tag);
        this.bytes(Buffer.from(data.value, 'utf8'));
        return;
      }
      case 'TLSA':
        this.u8(data.usage);
        this.u8(data.selector);
        this.u8(data.matchingType);
        this.bytes(Buffer.from(data.data, 'hex'));
        return;
      case 'SOA':
        this.name(nameLabels(data.mname));
        this.name(nameLabels(data.rname));
        this.u32(data.serial);
        this.u32(data.refresh);
        this.u32(data.retry);
        this.u32(data.expire);
        this.u32(data.minimum);
        return;
    }
  }

  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

/** Labels of a normalized name ('' is the root). */
export function nameLabels(name: string): string[] {
  return name === '' ? [] : name.split('.');
}
