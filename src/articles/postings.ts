/**
 * Posting lists packed as bytes. At 100k articles the index holds ~27M postings; as JS number
 * arrays that was ~10 bytes each (270 MB, most of the bot's memory). Here a posting is one varint
 * of (document gap × 2 + flag), where flag 0 stands for the commonest term frequencies (once in the
 * body, not in the title: 85 % of postings at 100k articles) and flag 1 means one more byte of tf
 * bits follows; every list lives in a block of a shared page: no object per term, only a few
 * typed-array slots. (Gap × 64 + tf bits in one varint took 2.34 bytes a posting there, this 1.7.)
 *
 * A full block moves to one twice its size (powers of two) and its old place goes on a free list
 * of that size, which the next list to grow into that size reuses. When the room held but not
 * used passes half the postings' bytes, every list is copied into blocks of its own length plus
 * an eighth, page by page (the peak is the old pages plus one).
 */

/** The tf bits (title tf × 8 + body tf) a posting with flag 0 stands for. */
export const COMMON_TF_BITS = 1;

/** Bytes per shared page; lists that outgrow a quarter of it get a buffer of their own. */
const PAGE_BYTES = 1 << 20;
const MAX_SHARED_BLOCK = PAGE_BYTES >> 2;
/** Smallest block: 4 bytes hold one posting with a gap below 2²⁰ documents (larger ones move on at once). */
const MIN_BLOCK = 4;
/** Small indexes are not worth repacking. */
const REPACK_ABOVE = 4 * PAGE_BYTES;

function growInt32(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function blockSizeFor(bytes: number): number {
  let size = MIN_BLOCK;
  while (size < bytes) size *= 2;
  return size;
}

/**
 * A list's bytes: from `start` to `end` of `buf`, varints of (document gap × 2 + flag), each with
 * flag 1 followed by a byte of tf bits, the first gap counted from document −1.
 */
export interface PostingSpan {
  buf: Uint8Array;
  start: number;
  end: number;
}

const EMPTY = new Uint8Array(0);

/** Append-only posting lists by list id (0, 1, 2… as the caller allocates them). */
export class PackedPostings {
  private pages: Uint8Array[] = [];
  /** The shared page blocks are cut from, and how much of it is taken. */
  private sharedPage = -1;
  private pageFill = PAGE_BYTES;
  /** Page numbers of dropped own buffers, for reuse. */
  private freePages: number[] = [];
  private page = new Int32Array(1024);
  private offset = new Int32Array(1024);
  private length = new Int32Array(1024);
  private capacity = new Int32Array(1024);
  private count = new Int32Array(1024);
  private last = new Int32Array(1024);
  /** Block size → free blocks of that size, each page × PAGE_BYTES + offset. */
  private free = new Map<number, number[]>();
  private lists = 0;
  /** Bytes held by postings (not counting spare room in blocks). */
  private used = 0;
  /** Bytes of all pages. */
  private reserved = 0;

  /** Lists allocated. */
  get size(): number {
    return this.lists;
  }

  /** Bytes of postings and bytes reserved by pages (for benchmarks). */
  get bytes(): { used: number; reserved: number } {
    return { used: this.used, reserved: this.reserved };
  }

  /** A new, empty list; returns its id. */
  allocate(): number {
    const id = this.lists++;
    const need = id + 1;
    this.page = growInt32(this.page, need);
    this.offset = growInt32(this.offset, need);
    this.length = growInt32(this.length, need);
    this.capacity = growInt32(this.capacity, need);
    this.count = growInt32(this.count, need);
    this.last = growInt32(this.last, need);
    this.page[id] = -1;
    this.offset[id] = 0;
    this.length[id] = 0;
    this.capacity[id] = 0;
    this.count[id] = 0;
    this.last[id] = -1;
    return id;
  }

  /** Postings in a list. */
  countOf(list: number): number {
    return this.count[list]!;
  }

  /** Appends a posting; `doc` must be above every document already in the list. */
  append(list: number, doc: number, tfBits: number): void {
    const common = tfBits === COMMON_TF_BITS;
    let value = (doc - this.last[list]!) * 2 + (common ? 0 : 1);
    const bytes = (value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5) + (common ? 0 : 1);
    const len = this.length[list]!;
    if (len + bytes > this.capacity[list]!) this.move(list, len + bytes);
    const buf = this.pages[this.page[list]!]!;
    let at = this.offset[list]! + len;
    while (value >= 0x80) {
      buf[at++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buf[at++] = value;
    if (!common) buf[at] = tfBits;
    this.length[list] = len + bytes;
    this.count[list]!++;
    this.last[list] = doc;
    this.used += bytes;
    if (this.reserved - this.used > this.used / 2 && this.reserved > REPACK_ABOVE) this.repack();
  }

  /** Where a list's bytes are, for decoding in a hot loop (see InvertedIndex.score). */
  span(list: number): PostingSpan {
    const page = this.page[list]!;
    const start = this.offset[list]!;
    return { buf: page < 0 ? EMPTY : this.pages[page]!, start, end: start + this.length[list]! };
  }

  /** Every posting of a list, as doc × 64 + tf bits (tests, compaction). */
  read(list: number): number[] {
    const out: number[] = [];
    const { buf, start, end } = this.span(list);
    let doc = -1;
    let at = start;
    while (at < end) {
      let value = 0;
      let scale = 1;
      for (;;) {
        const b = buf[at++]!;
        value += (b & 0x7f) * scale;
        if (b < 0x80) break;
        scale *= 0x80;
      }
      doc += Math.floor(value / 2);
      out.push(doc * 64 + (value % 2 === 0 ? COMMON_TF_BITS : buf[at++]!));
    }
    return out;
  }

  /** Moves a list to a block of at least `need` bytes. */
  private move(list: number, need: number): void {
    const size = blockSizeFor(Math.max(need, this.capacity[list]! * 2));
    const [page, offset] = this.take(size);
    const oldPage = this.page[list]!;
    const len = this.length[list]!;
    if (oldPage >= 0) {
      const from = this.offset[list]!;
      this.pages[page]!.set(this.pages[oldPage]!.subarray(from, from + len), offset);
      this.release(oldPage, from, this.capacity[list]!);
    }
    this.page[list] = page;
    this.offset[list] = offset;
    this.capacity[list] = size;
  }

  /** Copies every list into a block of its length plus an eighth, freeing old pages as it goes. */
  private repack(): void {
    const old = this.pages;
    this.pages = [];
    this.free.clear();
    this.freePages = [];
    this.sharedPage = -1;
    this.pageFill = PAGE_BYTES;
    this.reserved = 0;
    const order = Int32Array.from({ length: this.lists }, (_, i) => i).sort((a, b) => this.page[a]! - this.page[b]!);
    let current = -1;
    for (const list of order) {
      const from = this.page[list]!;
      if (from < 0) continue;
      if (from !== current) {
        // Lists are visited page by page: the previous old page holds nothing any more.
        if (current >= 0) old[current] = EMPTY;
        current = from;
      }
      const len = this.length[list]!;
      const size = len + Math.max(MIN_BLOCK, len >> 3);
      const [page, offset] = this.cut(size);
      const start = this.offset[list]!;
      this.pages[page]!.set(old[from]!.subarray(start, start + len), offset);
      this.page[list] = page;
      this.offset[list] = offset;
      this.capacity[list] = size;
    }
  }

  private take(size: number): [number, number] {
    if (size <= MAX_SHARED_BLOCK) {
      const slot = this.free.get(size)?.pop();
      if (slot !== undefined) return [Math.floor(slot / PAGE_BYTES), slot % PAGE_BYTES];
    }
    return this.cut(size);
  }

  /** A new block of exactly `size` bytes (no free list). */
  private cut(size: number): [number, number] {
    if (size > MAX_SHARED_BLOCK) return [this.newPage(size), 0];
    if (this.pageFill + size > PAGE_BYTES) {
      // The rest of a full page is split into free blocks rather than lost.
      this.splitTail();
      this.sharedPage = this.newPage(PAGE_BYTES);
      this.pageFill = 0;
    }
    const offset = this.pageFill;
    this.pageFill += size;
    return [this.sharedPage, offset];
  }

  /** A page of `size` bytes; long lists (common words) get one each. */
  private newPage(size: number): number {
    this.reserved += size;
    const reuse = this.freePages.pop();
    if (reuse !== undefined) {
      this.pages[reuse] = new Uint8Array(size);
      return reuse;
    }
    this.pages.push(new Uint8Array(size));
    return this.pages.length - 1;
  }

  private release(page: number, offset: number, size: number): void {
    if (size > MAX_SHARED_BLOCK) {
      // An own buffer: drop it; its page number is reused by the next one.
      this.reserved -= this.pages[page]!.byteLength;
      this.pages[page] = EMPTY;
      this.freePages.push(page);
      return;
    }
    const list = this.free.get(size);
    if (list === undefined) this.free.set(size, [page * PAGE_BYTES + offset]);
    else list.push(page * PAGE_BYTES + offset);
  }

  private splitTail(): void {
    if (this.sharedPage < 0) return;
    let at = this.pageFill;
    let size = MAX_SHARED_BLOCK;
    while (size >= MIN_BLOCK) {
      if (at + size <= PAGE_BYTES) {
        this.release(this.sharedPage, at, size);
        at += size;
      } else size >>= 1;
    }
  }
}
