/*
 * WebAssembly kernels for the engine's hottest loops, compiled by scripts/build-wasm.mjs into
 * kernels-binary.ts (base64, committed, so installing and testing need no C compiler).
 *
 * Why C and not TypeScript: the same loops run 2.5x (histogram) and 5x (subtraction) faster as
 * WebAssembly with 128-bit SIMD, because a (grad, hess) pair is added to its bin with one f64x2 add
 * and V8 does not vectorize JavaScript. Why not a library: no maintained package offers these kernels
 * over our data layout.
 *
 * Every kernel performs the same IEEE double operations in the same order as the TypeScript kernel
 * it replaces (WebAssembly has no fused multiply-add, and f64x2 lanes round like scalar f64), so the
 * results are bit-identical and the TypeScript kernels stay as the fallback and the reference the
 * tests compare against. Build: node scripts/build-wasm.mjs (needs clang and wasm-ld, Debian's
 * clang and lld packages).
 */
#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>

/*
 * Adds the node's rows into hist for each sampled column: for sampled column k, bin b holds grad at
 * hist[histOff[k] + 2b] and hess at hist[histOff[k] + 2b + 1]. gh holds the node's (grad, hess)
 * pairs in idx order. Four columns per pass over the rows; each bin receives its rows in idx order.
 * Same as buildHist in trees/hist.ts.
 */
void build_hist(double *restrict hist, const uint8_t *restrict codes, int nRows, const int32_t *restrict cols,
                const int32_t *restrict histOff, int nCols, const uint32_t *restrict idx, int start, int end,
                const double *restrict gh, int contiguous) {
  const int n = end - start;
  int k = 0;
  for (; k + 3 < nCols; k += 4) {
    double *h0 = hist + histOff[k];
    double *h1 = hist + histOff[k + 1];
    double *h2 = hist + histOff[k + 2];
    double *h3 = hist + histOff[k + 3];
    const uint8_t *c0 = codes + (size_t)cols[k] * nRows;
    const uint8_t *c1 = codes + (size_t)cols[k + 1] * nRows;
    const uint8_t *c2 = codes + (size_t)cols[k + 2] * nRows;
    const uint8_t *c3 = codes + (size_t)cols[k + 3] * nRows;
    for (int i = 0; i < n; i++) {
      const uint32_t r = contiguous ? (uint32_t)i : idx[start + i];
      const v128_t v = wasm_v128_load(gh + 2 * i);
      double *p;
      p = h0 + 2 * c0[r];
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
      p = h1 + 2 * c1[r];
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
      p = h2 + 2 * c2[r];
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
      p = h3 + 2 * c3[r];
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
    }
  }
  for (; k < nCols; k++) {
    double *h0 = hist + histOff[k];
    const uint8_t *c0 = codes + (size_t)cols[k] * nRows;
    for (int i = 0; i < n; i++) {
      const uint32_t r = contiguous ? (uint32_t)i : idx[start + i];
      double *p = h0 + 2 * c0[r];
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), wasm_v128_load(gh + 2 * i)));
    }
  }
}

/* parent -= child over the first len entries. Same as subtractHist in trees/hist.ts. */
void subtract_hist(double *restrict parent, const double *restrict child, int len) {
  int i = 0;
  for (; i + 1 < len; i += 2) {
    wasm_v128_store(parent + i, wasm_f64x2_sub(wasm_v128_load(parent + i), wasm_v128_load(child + i)));
  }
  for (; i < len; i++) parent[i] -= child[i];
}

/* ---- Split search (same candidates, order, arithmetic and tie rule as trees/gbm.ts) ---- */

#define MIN_GAIN 1e-6

/* Where a split search leaves its answer (read by the TypeScript side at fixed offsets). */
typedef struct {
  double gain, GL, HL;
  int32_t k, bin, defaultLeft, next;
} SplitOut;

typedef struct {
  double G, H, lambda, parent, minH, best, gM, hM;
  int hasMissing, found;
} SearchState;

static inline double max2(double a, double b) { return a > b ? a : b; }

static inline void set_split(SplitOut *out, double gain, int k, int bin, double GL, double HL, int defaultLeft) {
  out->gain = gain;
  out->k = k;
  out->bin = bin;
  out->GL = GL;
  out->HL = HL;
  out->defaultLeft = defaultLeft;
}

/* One candidate: rows with codes up to the bin (plus missing when missingLeft) go left; 1 if it won. */
static inline int consider(SearchState *s, SplitOut *out, int k, int b, double GL, double HL, int missingLeft) {
  const double HR = s->H - HL;
  if (!(HL >= s->minH && HR >= s->minH)) return 0;
  const double GR = s->G - GL;
  const double a = HL + s->lambda;
  const double c = HR + s->lambda;
  const double num = GL * GL * c + GR * GR * a;
  if (!(num > (s->best + s->parent) * a * c)) return 0;
  const double gain = num / (a * c) - s->parent;
  s->best = gain;
  set_split(out, gain, k, b, GL, HL, missingLeft || (!s->hasMissing && HL >= HR));
  return 1;
}

/* findSplit's two candidates at one bin (missing right, then missing left); 1 if either won. */
static inline int try_bin(SearchState *s, SplitOut *out, int k, int b, double GL, double HL) {
  int won = consider(s, out, k, b, GL, HL, 0);
  if (s->hasMissing) won |= consider(s, out, k, b, GL + s->gM, HL + s->hM, 1);
  if (won) s->found = 1;
  return won;
}

static inline void try_missing(SearchState *s, SplitOut *out, int k, int nb) {
  if (!s->hasMissing) return;
  const double gV = s->G - s->gM;
  const double hV = s->H - s->hM;
  if (hV >= s->minH && s->hM >= s->minH) {
    const double gain = (gV * gV) / (hV + s->lambda) + (s->gM * s->gM) / (s->hM + s->lambda) - s->parent;
    if (gain > s->best) {
      s->best = gain;
      s->found = 1;
      set_split(out, gain, k, nb, gV, hV, 0);
    }
  }
}

static void init_state(SearchState *s, double G, double H, double lambda, double mcw, double gamma) {
  s->G = G;
  s->H = H;
  s->lambda = lambda;
  s->parent = (G * G) / (H + lambda);
  s->minH = max2(mcw, H * 1e-10);
  s->best = max2(gamma, MIN_GAIN);
  s->found = 0;
}

/*
 * Whether any candidate of two columns without missing values passes the division-free test against
 * the current best. Both columns run in the two lanes of f64x2 with each lane's operations exactly
 * those of the scalar scan (same prefix sums, same products in the same order), so "no lane ever
 * passes" means the scalar scan would find no new best in either column and leave the state as it
 * is. Breaks the add-latency chain of one column at a time. A lane whose column has fewer bins reads
 * on past its end (into the next column, or the arena's padding) with its result masked off.
 */
static int pair_may_win(const SearchState *s, const double *h0, int len0, const double *h1, int len1) {
  const int shorter = len0 < len1 ? len0 : len1;
  const int len = len0 > len1 ? len0 : len1;
  const v128_t last = wasm_i64x2_make(len0 - 2, len1 - 2);
  const v128_t G = wasm_f64x2_splat(s->G);
  const v128_t H = wasm_f64x2_splat(s->H);
  const v128_t lambda = wasm_f64x2_splat(s->lambda);
  const v128_t minH = wasm_f64x2_splat(s->minH);
  const v128_t bound = wasm_f64x2_splat(s->best + s->parent);
  v128_t GL = wasm_f64x2_splat(0);
  v128_t HL = wasm_f64x2_splat(0);
  v128_t any = wasm_i64x2_splat(0);
  /* A candidate pair: both lanes' prefix sums advanced by one bin and tested (mask in `pass`). */
#define PAIR_STEP(j)                                                                                          \
  const v128_t a0 = wasm_v128_load(h0 + (j));                                                                \
  const v128_t a1 = wasm_v128_load(h1 + (j));                                                                \
  GL = wasm_f64x2_add(GL, wasm_i64x2_shuffle(a0, a1, 0, 2));                                                 \
  HL = wasm_f64x2_add(HL, wasm_i64x2_shuffle(a0, a1, 1, 3));                                                 \
  const v128_t HR = wasm_f64x2_sub(H, HL);                                                                   \
  const v128_t ok = wasm_v128_and(wasm_f64x2_ge(HL, minH), wasm_f64x2_ge(HR, minH));                         \
  const v128_t GR = wasm_f64x2_sub(G, GL);                                                                   \
  const v128_t a = wasm_f64x2_add(HL, lambda);                                                               \
  const v128_t c = wasm_f64x2_add(HR, lambda);                                                               \
  const v128_t num =                                                                                         \
      wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_mul(GL, GL), c), wasm_f64x2_mul(wasm_f64x2_mul(GR, GR), a));  \
  const v128_t pass = wasm_v128_and(ok, wasm_f64x2_gt(num, wasm_f64x2_mul(wasm_f64x2_mul(bound, a), c)));
  /* Both columns still have candidates: no lane mask needed. */
  int j = 2;
  for (; j < shorter - 2; j += 2) {
    PAIR_STEP(j)
    any = wasm_v128_or(any, pass);
  }
  /* The longer column's remaining candidates; the other lane reads on and is masked off. */
  for (; j < len - 2; j += 2) {
    PAIR_STEP(j)
    const v128_t live = wasm_i64x2_gt(last, wasm_i64x2_splat(j));
    any = wasm_v128_or(any, wasm_v128_and(live, pass));
  }
#undef PAIR_STEP
  return wasm_v128_any_true(any);
}

/* The scalar scan of one column: every candidate in order against the running best. */
static void scan_column(SearchState *s, SplitOut *out, const double *hist, int k, int o, int end) {
  s->gM = hist[o];
  s->hM = hist[o + 1];
  s->hasMissing = s->hM > s->H * 1e-10;
  double GL = 0;
  double HL = 0;
  int b = 0;
  for (int j = o + 2; j < end - 2; j += 2) {
    b++;
    GL += hist[j];
    HL += hist[j + 1];
    try_bin(s, out, k, b, GL, HL);
  }
  try_missing(s, out, k, (end - o) / 2 - 1);
}

/* hist[done..upto) -= sub[done..upto) (even counts: whole (grad, hess) pairs); done moves to upto. */
static inline void subtract_upto(double *restrict hist, const double *restrict sub, int *done, int upto) {
  for (int i = *done; i < upto; i += 2) {
    wasm_v128_store(hist + i, wasm_f64x2_sub(wasm_v128_load(hist + i), wasm_v128_load(sub + i)));
  }
  if (upto > *done) *done = upto;
}

/*
 * Best split over a node's dense histogram. Same result as findSplit in trees/gbm.ts: columns are
 * scanned in order, except that two neighbouring columns that pair_may_win proves cannot change the
 * best are skipped together. The histogram must be followed by 4 KiB of readable memory.
 * With sub non-null the node's histogram is first obtained by subtraction (hist -= sub, as
 * subtract_hist, over all nCols columns), a column pair at a time just before it is scanned, so the
 * pass over the histogram happens while its lines are in cache instead of as a pass of its own.
 */
int find_split(double *restrict hist, double G, double H, const int32_t *restrict histOff, int nCols,
               double lambda, double mcw, double gamma, SplitOut *out, const double *restrict sub) {
  SearchState s;
  init_state(&s, G, H, lambda, mcw, gamma);
  const double missingEps = H * 1e-10;
  int done = histOff[0];
  int k = 0;
  while (k < nCols) {
    const int o = histOff[k];
    const int end = histOff[k + 1];
    if (k + 1 < nCols) {
      const int end2 = histOff[k + 2];
      if (sub) subtract_upto(hist, sub, &done, end2);
      if (!(hist[o + 1] > missingEps) && !(hist[end + 1] > missingEps) &&
          !pair_may_win(&s, hist + o, end - o, hist + end, end2 - end)) {
        k += 2;
        continue;
      }
    } else if (sub) {
      subtract_upto(hist, sub, &done, end);
    }
    scan_column(&s, out, hist, k, o, end);
    k++;
  }
  return s.found;
}

/* One column's candidates of a sparse scan: occupied value codes ascending, with prefix sums. */
static int32_t sparse_code[256];
static double sparse_gl[257];
static double sparse_hl[257];

/*
 * Whether any of the m candidates in sparse_gl/sparse_hl (missing right, and missing left when the
 * column has missing values) passes consider's division-free test against the current best. Two
 * candidates per f64x2, each lane doing consider's operations exactly; the best only grows during a
 * scan and the test's bound grows with it, so "none passes now" means the scalar scan would leave the
 * state as it is. The slot after the last candidate must repeat it (an odd m).
 */
static int sparse_may_win(const SearchState *s, int m) {
  const v128_t G = wasm_f64x2_splat(s->G);
  const v128_t H = wasm_f64x2_splat(s->H);
  const v128_t lambda = wasm_f64x2_splat(s->lambda);
  const v128_t minH = wasm_f64x2_splat(s->minH);
  const v128_t bound = wasm_f64x2_splat(s->best + s->parent);
  const v128_t gM = wasm_f64x2_splat(s->gM);
  const v128_t hM = wasm_f64x2_splat(s->hM);
  const int twoSided = s->hasMissing;
  v128_t any = wasm_i64x2_splat(0);
  for (int i = 0; i < m; i += 2) {
    v128_t GL = wasm_v128_load(sparse_gl + i);
    v128_t HL = wasm_v128_load(sparse_hl + i);
    for (int side = 0; side <= twoSided; side++) {
      if (side) {
        GL = wasm_f64x2_add(GL, gM);
        HL = wasm_f64x2_add(HL, hM);
      }
      const v128_t HR = wasm_f64x2_sub(H, HL);
      const v128_t ok = wasm_v128_and(wasm_f64x2_ge(HL, minH), wasm_f64x2_ge(HR, minH));
      const v128_t GR = wasm_f64x2_sub(G, GL);
      const v128_t a = wasm_f64x2_add(HL, lambda);
      const v128_t c = wasm_f64x2_add(HR, lambda);
      const v128_t num =
          wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_mul(GL, GL), c), wasm_f64x2_mul(wasm_f64x2_mul(GR, GR), a));
      const v128_t pass = wasm_f64x2_gt(num, wasm_f64x2_mul(wasm_f64x2_mul(bound, a), c));
      any = wasm_v128_or(any, wasm_v128_and(ok, pass));
    }
  }
  return wasm_v128_any_true(any);
}

/*
 * Scans one feature's per-code sums (at gh[o..], bitmap at seen[so..]) and clears them. First the
 * occupied codes and their prefix sums are gathered (clearing as it goes); then, unless
 * sparse_may_win proves no candidate can win, they are replayed through try_bin in order, as the
 * scan over the bitmap did (same candidates, same order, same running best).
 */
static void scan_sparse(SearchState *s, SplitOut *out, double *restrict gh, uint32_t *restrict seen, int k, int nb,
                        int o, int so) {
  s->gM = gh[o];
  s->hM = gh[o + 1];
  gh[o] = 0;
  gh[o + 1] = 0;
  s->hasMissing = s->hM > s->H * 1e-10;
  double GL = 0;
  double HL = 0;
  int m = 0;
  const int nWords = (nb >> 5) + 1;
  for (int w = 0; w < nWords; w++) {
    uint32_t bits = seen[so + w];
    if (bits == 0) continue;
    seen[so + w] = 0;
    if (w == 0) bits &= ~1u;
    while (bits != 0) {
      const int c = (w << 5) + __builtin_ctz(bits);
      bits &= bits - 1;
      const int j = o + (c << 1);
      const double gb = gh[j];
      const double hb = gh[j + 1];
      gh[j] = 0;
      gh[j + 1] = 0;
      /* The last value bin is no candidate: "all values left" is try_missing's split. */
      if (c >= nb) continue;
      GL += gb;
      HL += hb;
      sparse_code[m] = c;
      sparse_gl[m] = GL;
      sparse_hl[m] = HL;
      m++;
    }
  }
  if (m > 0) {
    sparse_gl[m] = sparse_gl[m - 1];
    sparse_hl[m] = sparse_hl[m - 1];
    if (sparse_may_win(s, m)) {
      /* out->next: the first occupied code after the last winning bin (nb if none before it). */
      int pending = 0;
      for (int i = 0; i < m; i++) {
        const int c = sparse_code[i];
        if (pending) {
          out->next = c;
          pending = 0;
        }
        if (try_bin(s, out, k, c, sparse_gl[i], sparse_hl[i])) {
          pending = 1;
          out->next = nb;
          /* The empty bins after c are the dense scan's candidates too (same sums). */
          const int nextCode = i + 1 < m ? sparse_code[i + 1] : nb;
          for (int e = c + 1; e < nb && e != nextCode; e++) {
            if (!try_bin(s, out, k, e, sparse_gl[i], sparse_hl[i])) break;
          }
        }
      }
    }
  }
  try_missing(s, out, k, nb);
}

/*
 * Best split of a small node from its rows (no dense histogram). Same as findSplitSparse in
 * trees/gbm.ts. acc (4 x 512 doubles: feature j of a batch of four has (grad, hess) of code c at
 * 512j + 2c) and seen (4 x 8 words: its bitmap of occurring codes at 8j) are zero on entry and exit.
 */
int find_split_sparse(const uint8_t *restrict codes, int nRows, const uint32_t *restrict idx, int start, int end,
                      const double *restrict gh, double G, double H, const int32_t *restrict cols,
                      const int32_t *restrict binsOfCol, int nCols, double lambda, double mcw, double gamma,
                      double *restrict acc, uint32_t *restrict seen, SplitOut *out) {
  SearchState s;
  init_state(&s, G, H, lambda, mcw, gamma);
  const int n = end - start;
  int k = 0;
  for (; k + 3 < nCols; k += 4) {
    const uint8_t *c0p = codes + (size_t)cols[k] * nRows;
    const uint8_t *c1p = codes + (size_t)cols[k + 1] * nRows;
    const uint8_t *c2p = codes + (size_t)cols[k + 2] * nRows;
    const uint8_t *c3p = codes + (size_t)cols[k + 3] * nRows;
    for (int i = 0; i < n; i++) {
      const uint32_t r = idx[start + i];
      const v128_t v = wasm_v128_load(gh + 2 * i);
      const int c0 = c0p[r], c1 = c1p[r], c2 = c2p[r], c3 = c3p[r];
      double *p;
      p = acc + (c0 << 1);
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
      p = acc + 512 + (c1 << 1);
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
      p = acc + 1024 + (c2 << 1);
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
      p = acc + 1536 + (c3 << 1);
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
      seen[c0 >> 5] |= 1u << (c0 & 31);
      seen[8 + (c1 >> 5)] |= 1u << (c1 & 31);
      seen[16 + (c2 >> 5)] |= 1u << (c2 & 31);
      seen[24 + (c3 >> 5)] |= 1u << (c3 & 31);
    }
    for (int j = 0; j < 4; j++) scan_sparse(&s, out, acc, seen, k + j, binsOfCol[cols[k + j]] - 1, 512 * j, 8 * j);
  }
  for (; k < nCols; k++) {
    const uint8_t *cp = codes + (size_t)cols[k] * nRows;
    for (int i = 0; i < n; i++) {
      const int c = cp[idx[start + i]];
      double *p = acc + (c << 1);
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), wasm_v128_load(gh + 2 * i)));
      seen[c >> 5] |= 1u << (c & 31);
    }
    scan_sparse(&s, out, acc, seen, k, binsOfCol[cols[k]] - 1, 0, 0);
  }
  return s.found;
}

/* ---- Random forest: one drawn column of a node's split search (same sums, candidates, scores, order
 * and tie rule as growForestTree in trees/forest.ts) ---- */

/* The node's best split so far (read and reset by the TypeScript side at fixed offsets). */
typedef struct {
  double score, L0, L1;
  int32_t col, bin, defaultLeft, pad;
} ForestBest;

/* Math.log, imported: the entropy score's x ln x for weights outside the table (class weights). */
__attribute__((import_module("env"), import_name("log"))) double js_log(double x);

/* x ln x, from the table for whole weights within it (as xl in forest.ts). */
static inline double forest_xl(const double *table, int tableLen, double x) {
  if (x >= 0 && x < (double)tableLen) {
    const int i = (int)x;
    if ((double)i == x) return table[i];
  }
  return x > 0 ? x * js_log(x) : 0;
}

/* splitScore of forest.ts: gini when table is null, else entropy from the table. */
static inline double forest_score(double l0, double l1, double r0, double r1, double lc, double rc, double minLeaf,
                                  const double *table, int tableLen) {
  if (lc < minLeaf || rc < minLeaf) return -__builtin_inf();
  const double wl = l0 + l1;
  const double wr = r0 + r1;
  if (wl <= 0 || wr <= 0) return -__builtin_inf();
  if (table == 0) return (l0 * l0 + l1 * l1) / wl + (r0 * r0 + r1 * r1) / wr;
  return forest_xl(table, tableLen, l0) + forest_xl(table, tableLen, l1) - forest_xl(table, tableLen, wl) +
         forest_xl(table, tableLen, r0) + forest_xl(table, tableLen, r1) - forest_xl(table, tableLen, wr);
}

/* A candidate that beat the node's best becomes it. */
static inline void forest_take(ForestBest *best, double score, int col, int bin, double L0, double L1,
                               int defaultLeft) {
  best->score = score;
  best->col = col;
  best->bin = bin;
  best->L0 = L0;
  best->L1 = L1;
  best->defaultLeft = defaultLeft;
}

/*
 * One drawn column of a forest node: class weights and row count per code of the node's rows
 * (codes: the column; idx: the node's rows; yN, wN: their labels and weights), then every candidate
 * against best. Returns 0 for a column constant in the node (it does not count as visited). hist
 * (3 doubles per code) and seen (8 words) are zero on entry and exit.
 */
int forest_column(const uint8_t *restrict codes, const uint32_t *restrict idx, int nS, const uint8_t *restrict yN,
                  const double *restrict wN, int nb, int col, double Wn0, double Wn1, double minLeaf,
                  const double *table, int tableLen, double *restrict hist, uint32_t *restrict seen,
                  ForestBest *best) {
  for (int i = 0; i < nS; i++) {
    const int c = codes[idx[i]];
    const int h = 3 * c;
    hist[h + yN[i]] += wN[i];
    hist[h + 2] += 1;
    seen[c >> 5] |= 1u << (c & 31);
  }
  const int nWords = (nb >> 5) + 1;
  int nonEmpty = 0;
  for (int w = 0; w < nWords; w++) nonEmpty += __builtin_popcount(seen[w]);
  if (nonEmpty < 2) {
    for (int w = 0; w < nWords; w++) {
      uint32_t bits = seen[w];
      seen[w] = 0;
      while (bits != 0) {
        const int h = 3 * ((w << 5) + __builtin_ctz(bits));
        bits &= bits - 1;
        hist[h] = 0;
        hist[h + 1] = 0;
        hist[h + 2] = 0;
      }
    }
    return 0;
  }
  const double Wn = Wn0 + Wn1;
  const double m0 = hist[0];
  const double m1 = hist[1];
  const double mc = hist[2];
  hist[0] = 0;
  hist[1] = 0;
  hist[2] = 0;
  const int hasMissing = mc > 0;
  double L0 = 0;
  double L1 = 0;
  double Lc = 0;
  for (int w = 0; w < nWords; w++) {
    uint32_t bits = seen[w];
    seen[w] = 0;
    if (w == 0) bits &= ~1u;
    while (bits != 0) {
      const int b = (w << 5) + __builtin_ctz(bits);
      bits &= bits - 1;
      const int h = 3 * b;
      const double c = hist[h + 2];
      L0 += hist[h];
      L1 += hist[h + 1];
      Lc += c;
      hist[h] = 0;
      hist[h + 1] = 0;
      hist[h + 2] = 0;
      if (b < nb) {
        const double sRight = forest_score(L0, L1, Wn0 - L0, Wn1 - L1, Lc, (double)nS - Lc, minLeaf, table, tableLen);
        if (sRight > best->score) forest_take(best, sRight, col, b, L0, L1, !hasMissing && L0 + L1 >= Wn - L0 - L1);
        if (hasMissing) {
          const double a0 = L0 + m0;
          const double a1 = L1 + m1;
          const double sLeft =
              forest_score(a0, a1, Wn0 - a0, Wn1 - a1, Lc + mc, (double)nS - Lc - mc, minLeaf, table, tableLen);
          if (sLeft > best->score) forest_take(best, sLeft, col, b, a0, a1, 1);
        }
      } else if (hasMissing) {
        const double sc = forest_score(L0, L1, m0, m1, Lc, mc, minLeaf, table, tableLen);
        if (sc > best->score) forest_take(best, sc, col, nb, L0, L1, 0);
      }
    }
  }
  return 1;
}

/* ---- KNN imputation: stage 1 of the shortlist search (same scores, pruning rule and tie rule as
 * the scan in preprocess/knn.ts) ----
 *
 * Donors are visited two at a time, one per f64x2 lane: vp holds, per pair, the w scan slots of both
 * donors interleaved (slot t of the pair's first donor at 2t, of its second at 2t + 1). Each lane sums
 * its donor's terms in slot order exactly as the scalar scan does; a NaN difference (either side
 * missing a value) adds +0, which leaves the sum unchanged. A pair is dropped once both partial
 * scores exceed the C-th best (partial sums only grow, so neither could enter); otherwise both full
 * scores go through the scalar scan's insertion in lane order, which rejects any lane the scalar scan
 * would have dropped early. So the C best (score, donor) pairs are the scalar scan's, bit for bit.
 * A pair's second lane may be empty (donor -1): a group with an odd donor count.
 */
static inline void knn_insert(double s, int32_t d, int C, double *topD, int32_t *topI, int *nTop,
                              double *worst, int32_t *worstI) {
  if (*nTop == C && (s > *worst || (s == *worst && d > *worstI))) return;
  int i = *nTop < C ? (*nTop)++ : C - 1;
  while (i > 0 && (topD[i - 1] > s || (topD[i - 1] == s && topI[i - 1] > d))) {
    topD[i] = topD[i - 1];
    topI[i] = topI[i - 1];
    i--;
  }
  topD[i] = s;
  topI[i] = d;
  if (*nTop == C) {
    *worst = topD[C - 1];
    *worstI = topI[C - 1];
  }
}

static int knn_scan(const double *restrict vp, const double *restrict mydP, const int32_t *restrict pairDonor,
                    const int32_t *restrict gpPtr, const int32_t *restrict gOrder, int nG, int w,
                    const double *restrict vq, double pm, double p, int C, double *restrict topD,
                    int32_t *restrict topI, const double *restrict gProj, const double *restrict gRad,
                    const int32_t *restrict projSlots, int nProj) {
  int nTop = 0;
  double worst = __builtin_inf();
  int32_t worstI = -1;
  const v128_t pv = wasm_f64x2_splat(p);
  const v128_t pmv = wasm_f64x2_splat(pm);
  const v128_t zero = wasm_f64x2_splat(0.0);
  for (int gi = 0; gi < nG; gi++) {
    const int g = gOrder[gi];
    if (nTop == C && gRad[g] != __builtin_inf()) {
      /* Every member's score is at least its squared projected distance from the query, which is at
       * least (|query - mean| - radius)^2: a group whose bound is above the C-th best score (with a
       * margin for rounding) holds no donor the scan would keep, so skipping it changes nothing. */
      double dq = 0;
      for (int i = 0; i < nProj; i++) {
        const double e = vq[projSlots[i]] - gProj[(size_t)g * w + projSlots[i]];
        dq += e * e;
      }
      const double dist = __builtin_sqrt(dq), r = gRad[g];
      const double gap = dist - r - 1e-9 * (dist + r);
      if (gap > 0 && gap * gap > worst * (1 + 1e-9)) continue;
    }
    int pr = gpPtr[g];
    const int end = gpPtr[g + 1];
    /* Two pairs at a time: their sums are independent chains, so the adds' latency overlaps. Each
     * lane's terms are still added in slot order. A pair is dropped against the C-th best as it stood
     * before the two (never smaller than when its turn comes in a one-pair scan, so it drops no donor
     * that scan would keep), and the survivors go through knn_insert in pair order, which decides. */
    for (; pr + 1 < end; pr += 2) {
      const double *va = vp + (size_t)pr * 2 * w;
      const double *vb = va + 2 * w;
      const v128_t denA = wasm_f64x2_sub(pmv, wasm_v128_load(mydP + 2 * pr));
      const v128_t denB = wasm_f64x2_sub(pmv, wasm_v128_load(mydP + 2 * pr + 2));
      const v128_t fA = wasm_v128_bitselect(wasm_f64x2_div(pv, denA), pv, wasm_f64x2_gt(denA, zero));
      const v128_t fB = wasm_v128_bitselect(wasm_f64x2_div(pv, denB), pv, wasm_f64x2_gt(denB, zero));
      const v128_t worstV = wasm_f64x2_splat(worst);
      v128_t sA = zero;
      v128_t sB = zero;
      int deadA = 0;
      int deadB = 0;
      for (int t = 0; t < w; t += 4) {
        v128_t e;
#define KNN_TERM(S, V, T)                                                                                     \
  e = wasm_f64x2_sub(wasm_f64x2_splat(vq[T]), wasm_v128_load((V) + 2 * (T)));                               \
  S = wasm_f64x2_add(S, wasm_v128_and(wasm_f64x2_mul(e, e), wasm_f64x2_eq(e, e)));
        KNN_TERM(sA, va, t)
        KNN_TERM(sB, vb, t)
        KNN_TERM(sA, va, t + 1)
        KNN_TERM(sB, vb, t + 1)
        KNN_TERM(sA, va, t + 2)
        KNN_TERM(sB, vb, t + 2)
        KNN_TERM(sA, va, t + 3)
        KNN_TERM(sB, vb, t + 3)
#undef KNN_TERM
        deadA = wasm_i64x2_all_true(wasm_f64x2_gt(wasm_f64x2_mul(sA, fA), worstV));
        deadB = wasm_i64x2_all_true(wasm_f64x2_gt(wasm_f64x2_mul(sB, fB), worstV));
        if (deadA && deadB) break;
      }
      if (!deadA) {
        const v128_t sc = wasm_f64x2_mul(sA, fA);
        knn_insert(wasm_f64x2_extract_lane(sc, 0), pairDonor[2 * pr], C, topD, topI, &nTop, &worst, &worstI);
        const int32_t d1 = pairDonor[2 * pr + 1];
        if (d1 >= 0) knn_insert(wasm_f64x2_extract_lane(sc, 1), d1, C, topD, topI, &nTop, &worst, &worstI);
      }
      if (!deadB) {
        const v128_t sc = wasm_f64x2_mul(sB, fB);
        knn_insert(wasm_f64x2_extract_lane(sc, 0), pairDonor[2 * pr + 2], C, topD, topI, &nTop, &worst, &worstI);
        const int32_t d1 = pairDonor[2 * pr + 3];
        if (d1 >= 0) knn_insert(wasm_f64x2_extract_lane(sc, 1), d1, C, topD, topI, &nTop, &worst, &worstI);
      }
    }
    for (; pr < end; pr++) {
      const double *v = vp + (size_t)pr * 2 * w;
      const v128_t den = wasm_f64x2_sub(pmv, wasm_v128_load(mydP + 2 * pr));
      const v128_t f = wasm_v128_bitselect(wasm_f64x2_div(pv, den), pv, wasm_f64x2_gt(den, zero));
      const v128_t worstV = wasm_f64x2_splat(worst);
      v128_t s = zero;
      int dropped = 0;
      for (int t = 0; t < w; t += 4) {
        v128_t e;
        e = wasm_f64x2_sub(wasm_f64x2_splat(vq[t]), wasm_v128_load(v + 2 * t));
        s = wasm_f64x2_add(s, wasm_v128_and(wasm_f64x2_mul(e, e), wasm_f64x2_eq(e, e)));
        e = wasm_f64x2_sub(wasm_f64x2_splat(vq[t + 1]), wasm_v128_load(v + 2 * t + 2));
        s = wasm_f64x2_add(s, wasm_v128_and(wasm_f64x2_mul(e, e), wasm_f64x2_eq(e, e)));
        e = wasm_f64x2_sub(wasm_f64x2_splat(vq[t + 2]), wasm_v128_load(v + 2 * t + 4));
        s = wasm_f64x2_add(s, wasm_v128_and(wasm_f64x2_mul(e, e), wasm_f64x2_eq(e, e)));
        e = wasm_f64x2_sub(wasm_f64x2_splat(vq[t + 3]), wasm_v128_load(v + 2 * t + 6));
        s = wasm_f64x2_add(s, wasm_v128_and(wasm_f64x2_mul(e, e), wasm_f64x2_eq(e, e)));
        if (wasm_i64x2_all_true(wasm_f64x2_gt(wasm_f64x2_mul(s, f), worstV))) {
          dropped = 1;
          break;
        }
      }
      if (dropped) continue;
      s = wasm_f64x2_mul(s, f);
      knn_insert(wasm_f64x2_extract_lane(s, 0), pairDonor[2 * pr], C, topD, topI, &nTop, &worst, &worstI);
      const int32_t d1 = pairDonor[2 * pr + 1];
      if (d1 >= 0) knn_insert(wasm_f64x2_extract_lane(s, 1), d1, C, topD, topI, &nTop, &worst, &worstI);
    }
  }
  return nTop;
}

/* ---- KNN imputation: one query of the shortlist search, both stages (same as the per-query part of
 * shortlistBlock in preprocess/knn.ts: same sums in the same order, same tie rules) ----
 *
 * Every field is 4 bytes (wasm32 pointers and ints), in this order: the TypeScript side writes the
 * struct as an Int32Array (KNN_JOB_FIELDS in wasm/index.ts).
 */
typedef struct {
  /* Donors (row-major, missing = 0 in Z), their missing and observing lists. */
  const double *Z;
  const uint8_t *obs;
  const double *norm2;
  const int32_t *missPtr;
  const int32_t *missIdx;
  const int32_t *obsPtr;
  const int32_t *obsIdx;
  int32_t p;
  /* Stage-1 scan (knn_scan). */
  const double *vp;
  const double *mydP;
  const int32_t *pairDonor;
  const int32_t *gpPtr;
  int32_t w;
  /* The imputation: output position per coordinate (-1 = not needed), fallback means, k, C. */
  const int32_t *outPos;
  const double *fallback;
  int32_t k;
  int32_t C;
  /* Scratch: distance cache and stamps (per donor), candidates, neighbours. */
  double *cache;
  int32_t *stamp;
  double *topD;
  int32_t *topI;
  double *candD;
  int32_t *candI;
  double *G;
  double *nbD;
  int32_t *nbI;
  /* The block of queries (QB rows of p) and this query's scan inputs; the answer per missing coordinate. */
  double *Q;
  uint8_t *qobs;
  int32_t *qMiss;
  int32_t *qMissN;
  double *qn2;
  int32_t *gOrder;
  double *vq;
  /* knn_block: the block's raw query rows (nIn values each, NaN = missing) and each distance
   * coordinate's column in them; the shortlist's centre, projection (ms x p), heavy coordinates
   * (-1 = padding), group centroids (nG x (hs + ms)) and scan slots; scratch; the answers, p per query
   * slot in its qMiss order. */
  const double *raw;
  int32_t nIn;
  const int32_t *colSrc;
  const double *center;
  const double *W;
  int32_t ms;
  const int32_t *heavy;
  int32_t hs;
  const double *cent;
  int32_t nG;
  const int32_t *slotSrc;
  double *Qc;
  double *Y;
  double *Hq;
  double *gD;
  double *blockVals;
  /* Per group over the projected slots: the members' mean (nG x w) and radius (knn_scan's bound). */
  const double *gProj;
  const double *gRad;
} KnnJob;

/* Dots of x with four vectors, each summed over the coordinates in order (so bit-identical to a plain
 * loop), four chains at once to hide the adds' latency. */
static inline void dot4(const double *x, const double *y0, const double *y1, const double *y2, const double *y3,
                        int p, double *out) {
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  for (int j = 0; j < p; j++) {
    const double v = x[j];
    a0 += v * y0[j];
    a1 += v * y1[j];
    a2 += v * y2[j];
    a3 += v * y3[j];
  }
  out[0] = a0;
  out[1] = a1;
  out[2] = a2;
  out[3] = a3;
}

static inline double dot1(const double *x, const double *y, int p) {
  double a = 0;
  for (int j = 0; j < p; j++) a += x[j] * y[j];
  return a;
}

/* Weighted squared nan-Euclidean distances (pairDist in knn.ts; infinity when undefined) of four
 * donors d[0..3], given their dots with the query. Each donor's two correction sums are added in
 * pairDist's order, so every distance is bit-identical to it; the four donors' sums are independent
 * chains whose latencies overlap (one donor at a time, these serial chains of ~28 subtractions each
 * were 10-18 us of the ~40 us a bench row's imputation took). */
static void knn_pair_dist4(const KnnJob *J, const double *Qq, const uint8_t *qobsq, double qn2,
                           const int32_t *qMissq, int mx, const int32_t *d, const double *dot, double *out) {
  const int p = J->p;
  const int32_t *missPtr = J->missPtr, *missIdx = J->missIdx;
  const double *z0 = J->Z + (size_t)d[0] * p, *z1 = J->Z + (size_t)d[1] * p;
  const double *z2 = J->Z + (size_t)d[2] * p, *z3 = J->Z + (size_t)d[3] * p;
  const int s0 = missPtr[d[0]], s1 = missPtr[d[1]], s2 = missPtr[d[2]], s3 = missPtr[d[3]];
  const int n0 = missPtr[d[0] + 1] - s0, n1 = missPtr[d[1] + 1] - s1;
  const int n2 = missPtr[d[2] + 1] - s2, n3 = missPtr[d[3] + 1] - s3;
  int n = n0 < n1 ? n0 : n1;
  if (n2 < n) n = n2;
  if (n3 < n) n = n3;
  double a0 = qn2, a1 = qn2, a2 = qn2, a3 = qn2;
  int i0 = 0, i1 = 0, i2 = 0, i3 = 0;
  int t = 0;
  for (; t < n; t++) {
    const int j0 = missIdx[s0 + t], j1 = missIdx[s1 + t], j2 = missIdx[s2 + t], j3 = missIdx[s3 + t];
    const double x0 = Qq[j0], x1 = Qq[j1], x2 = Qq[j2], x3 = Qq[j3];
    a0 -= x0 * x0;
    a1 -= x1 * x1;
    a2 -= x2 * x2;
    a3 -= x3 * x3;
    i0 += qobsq[j0] == 0;
    i1 += qobsq[j1] == 0;
    i2 += qobsq[j2] == 0;
    i3 += qobsq[j3] == 0;
  }
#define KNN_MISS_REST(A, I, S, N)                                                                             \
  for (int u = t; u < (N); u++) {                                                                           \
    const int j = missIdx[(S) + u];                                                                         \
    const double x = Qq[j];                                                                                 \
    A -= x * x;                                                                                             \
    I += qobsq[j] == 0;                                                                                     \
  }
  KNN_MISS_REST(a0, i0, s0, n0)
  KNN_MISS_REST(a1, i1, s1, n1)
  KNN_MISS_REST(a2, i2, s2, n2)
  KNN_MISS_REST(a3, i3, s3, n3)
#undef KNN_MISS_REST
  double b0 = J->norm2[d[0]], b1 = J->norm2[d[1]], b2 = J->norm2[d[2]], b3 = J->norm2[d[3]];
  for (int u = 0; u < mx; u++) {
    const int j = qMissq[u];
    const double y0 = z0[j], y1 = z1[j], y2 = z2[j], y3 = z3[j];
    b0 -= y0 * y0;
    b1 -= y1 * y1;
    b2 -= y2 * y2;
    b3 -= y3 * y3;
  }
  const double as[4] = {a0, a1, a2, a3}, bs[4] = {b0, b1, b2, b3};
  const int is[4] = {i0, i1, i2, i3}, ns[4] = {n0, n1, n2, n3};
  for (int k = 0; k < 4; k++) {
    const int cnt = p - mx - ns[k] + is[k];
    if (cnt <= 0) {
      out[k] = __builtin_inf();
      continue;
    }
    const double d2 = as[k] + bs[k] - 2 * dot[k];
    out[k] = ((d2 > 0 ? d2 : 0) * (double)p) / (double)cnt;
  }
}

/* Caches the distances of n donors (their dots with the query in g) for query qi. */
static void knn_cache_dists(KnnJob *J, const double *Qq, const uint8_t *qobsq, double qn2, const int32_t *qMissq,
                            int mx, int qi, const int32_t *d, const double *g, int n) {
  int u = 0;
  for (; u + 3 < n; u += 4) {
    double dd[4];
    knn_pair_dist4(J, Qq, qobsq, qn2, qMissq, mx, d + u, g + u, dd);
    for (int k = 0; k < 4; k++) {
      J->cache[d[u + k]] = dd[k];
      J->stamp[d[u + k]] = qi;
    }
  }
  if (u == n) return;
  /* The last one to three donors, padded with the last of them (its extra results are dropped). */
  int32_t dt[4];
  double gt[4], dd[4];
  for (int k = 0; k < 4; k++) {
    dt[k] = d[u + k < n ? u + k : n - 1];
    gt[k] = g[u + k < n ? u + k : n - 1];
  }
  knn_pair_dist4(J, Qq, qobsq, qn2, qMissq, mx, dt, gt, dd);
  for (int k = 0; u + k < n; k++) {
    J->cache[d[u + k]] = dd[k];
    J->stamp[d[u + k]] = qi;
  }
}

/* Query slot q of the block (query number qi of the job): stage 1, exact distances of the candidates,
 * then per missing coordinate the mean of its k nearest observing donors into outVals[t]. */
static int knn_query(KnnJob *J, int q, int qi, int nG, double pm, double *outVals, const int32_t *projSlots,
                     int nProj) {
  const int p = J->p, C = J->C, k = J->k;
  const double *Qq = J->Q + (size_t)q * p;
  const uint8_t *qobsq = J->qobs + (size_t)q * p;
  const int32_t *qMissq = J->qMiss + (size_t)q * p;
  const int mx = J->qMissN[q];
  const double qn2 = J->qn2[q];
  const double *Z = J->Z;
  int nTop = knn_scan(J->vp, J->mydP, J->pairDonor, J->gpPtr, J->gOrder, nG, J->w, J->vq, pm, (double)p, C,
                      J->topD, J->topI, J->gProj, J->gRad, projSlots, nProj);
  int32_t *topI = J->topI;
  double *G = J->G;
  /* Exact dots of the candidates, each summed over the coordinates in order: eight candidates at a time
   * in four f64x2 accumulators, one candidate per lane (a lane's multiply and add round exactly as the
   * scalar ones, so each dot is bit-identical to a plain loop; half the multiply and add instructions of
   * eight scalar chains, measured ~6% off the best bench transform time), then four chains at a time. */
  int i = 0;
  for (; i + 7 < nTop; i += 8) {
    const double *y0 = Z + (size_t)topI[i] * p, *y1 = Z + (size_t)topI[i + 1] * p;
    const double *y2 = Z + (size_t)topI[i + 2] * p, *y3 = Z + (size_t)topI[i + 3] * p;
    const double *y4 = Z + (size_t)topI[i + 4] * p, *y5 = Z + (size_t)topI[i + 5] * p;
    const double *y6 = Z + (size_t)topI[i + 6] * p, *y7 = Z + (size_t)topI[i + 7] * p;
    v128_t a01 = wasm_f64x2_splat(0), a23 = a01, a45 = a01, a67 = a01;
    for (int j = 0; j < p; j++) {
      const v128_t x = wasm_v128_load64_splat(Qq + j);
      a01 = wasm_f64x2_add(a01, wasm_f64x2_mul(x, wasm_v128_load64_lane(y1 + j, wasm_v128_load64_zero(y0 + j), 1)));
      a23 = wasm_f64x2_add(a23, wasm_f64x2_mul(x, wasm_v128_load64_lane(y3 + j, wasm_v128_load64_zero(y2 + j), 1)));
      a45 = wasm_f64x2_add(a45, wasm_f64x2_mul(x, wasm_v128_load64_lane(y5 + j, wasm_v128_load64_zero(y4 + j), 1)));
      a67 = wasm_f64x2_add(a67, wasm_f64x2_mul(x, wasm_v128_load64_lane(y7 + j, wasm_v128_load64_zero(y6 + j), 1)));
    }
    wasm_v128_store(G + i, a01);
    wasm_v128_store(G + i + 2, a23);
    wasm_v128_store(G + i + 4, a45);
    wasm_v128_store(G + i + 6, a67);
  }
  for (; i + 3 < nTop; i += 4)
    dot4(Qq, Z + (size_t)topI[i] * p, Z + (size_t)topI[i + 1] * p, Z + (size_t)topI[i + 2] * p,
         Z + (size_t)topI[i + 3] * p, p, G + i);
  for (; i < nTop; i++) G[i] = dot1(Qq, Z + (size_t)topI[i] * p, p);
  double *candD = J->candD;
  int32_t *candI = J->candI;
  /* The candidates' distances into the cache (four at a time), then their order by (distance, donor). */
  knn_cache_dists(J, Qq, qobsq, qn2, qMissq, mx, qi, topI, G, nTop);
  for (i = 0; i < nTop; i++) {
    const int d = topI[i];
    const double dd = J->cache[d];
    int t = i;
    while (t > 0 && (candD[t - 1] > dd || (candD[t - 1] == dd && candI[t - 1] > d))) {
      candD[t] = candD[t - 1];
      candI[t] = candI[t - 1];
      t--;
    }
    candD[t] = dd;
    candI[t] = d;
  }
  for (int t = 0; t < mx; t++) {
    const int j = qMissq[t];
    if (J->outPos[j] < 0) continue;
    int found = 0;
    double sum = 0;
    for (int c = 0; c < nTop && found < k; c++) {
      const int d = candI[c];
      if (candD[c] != __builtin_inf() && J->obs[(size_t)d * p + j]) {
        sum += Z[(size_t)d * p + j];
        found++;
      }
    }
    if (found < k) {
      /* Exact over the donors observing column j (distances cached per query). First the distances not
       * yet cached, four donors at a time (dot4's independent chains: with one, the adds' latency bound
       * the loop; each dot still sums its terms in coordinate order, so every distance is the
       * one-at-a-time scan's), then the scan in donor order over the cache. */
      const int e0 = J->obsPtr[j], end = J->obsPtr[j + 1];
      int32_t pend[4];
      double g4[4];
      int np = 0;
      for (int e = e0; e < end; e++) {
        const int d = J->obsIdx[e];
        if (J->stamp[d] == qi) continue;
        pend[np++] = d;
        if (np < 4) continue;
        dot4(Qq, Z + (size_t)pend[0] * p, Z + (size_t)pend[1] * p, Z + (size_t)pend[2] * p,
             Z + (size_t)pend[3] * p, p, g4);
        knn_cache_dists(J, Qq, qobsq, qn2, qMissq, mx, qi, pend, g4, 4);
        np = 0;
      }
      for (int u = 0; u < np; u++) g4[u] = dot1(Qq, Z + (size_t)pend[u] * p, p);
      knn_cache_dists(J, Qq, qobsq, qn2, qMissq, mx, qi, pend, g4, np);
      int m = 0;
      for (int e = e0; e < end; e++) {
        const int d = J->obsIdx[e];
        const double dd = J->cache[d];
        if (dd == __builtin_inf()) continue;
        if (m < k || dd < J->nbD[m - 1]) {
          int s = m < k ? m++ : k - 1;
          while (s > 0 && J->nbD[s - 1] > dd) {
            J->nbD[s] = J->nbD[s - 1];
            J->nbI[s] = J->nbI[s - 1];
            s--;
          }
          J->nbD[s] = dd;
          J->nbI[s] = d;
        }
      }
      found = m;
      sum = 0;
      for (int s = 0; s < m; s++) sum += Z[(size_t)J->nbI[s] * p + j];
    }
    outVals[t] = found > 0 ? sum / found : J->fallback[j];
  }
  return nTop;
}

/* A block of bn queries (numbers b0.. of the job), each prepared as shortlistBlock in preprocess/knn.ts
 * prepares it (same sums in the same order: the zero-filled row and its squared norm, the centred
 * row's projection, each group's centroid distance and the stable group order, the scan slots), then
 * both stages (knn_query). */
void knn_block(KnnJob *J, int b0, int bn) {
  const int p = J->p, ms = J->ms, hs = J->hs, nG = J->nG, w = hs + ms, nIn = J->nIn;
  const double nan = __builtin_nan("");
  double *Qc = J->Qc, *Y = J->Y, *Hq = J->Hq, *gD = J->gD, *vq = J->vq;
  int32_t *gI = J->gOrder;
  /* The projected scan slots (the group bound in knn_scan; at most 64 used, a valid bound on any subset). */
  int32_t projSlots[64];
  int nProj = 0;
  for (int t = 0; t < J->w && nProj < 64; t++)
    if (J->slotSrc[t] >= J->hs) projSlots[nProj++] = t;
  for (int q = 0; q < bn; q++) {
    const double *raw = J->raw + (size_t)q * nIn;
    double *Qq = J->Q + (size_t)q * p;
    uint8_t *qo = J->qobs + (size_t)q * p;
    int32_t *qm = J->qMiss + (size_t)q * p;
    double n2 = 0;
    int mx = 0;
    for (int j = 0; j < p; j++) {
      const double v = raw[J->colSrc[j]];
      if (v == v) {
        Qq[j] = v;
        Qc[j] = v - J->center[j];
        qo[j] = 1;
        n2 += v * v;
      } else {
        Qq[j] = 0;
        Qc[j] = 0;
        qo[j] = 0;
        qm[mx++] = j;
      }
    }
    J->qn2[q] = n2;
    J->qMissN[q] = mx;
    /* Projection: each dimension summed over the coordinates in order (gemmNT's order), four at a time. */
    int i = 0;
    for (; i + 3 < ms; i += 4) {
      const double *w0 = J->W + (size_t)i * p;
      dot4(Qc, w0, w0 + p, w0 + 2 * p, w0 + 3 * p, p, Y + i);
    }
    for (; i < ms; i++) Y[i] = dot1(Qc, J->W + (size_t)i * p, p);
    for (int t = 0; t < hs; t++) {
      const int j = J->heavy[t];
      Hq[t] = j >= 0 && qo[j] ? Qq[j] : nan;
    }
    /* Groups by the distance of their centroid (missing heavy values count as the mean), stable. */
    for (int g = 0; g < nG; g++) {
      const double *cg = J->cent + (size_t)g * w;
      double s2 = 0;
      for (int t = 0; t < hs; t++) {
        const double v = Hq[t];
        const double e = (v == v ? v - J->center[J->heavy[t]] : 0) - cg[t];
        s2 += e * e;
      }
      for (int m = 0; m < ms; m++) {
        const double e = Y[m] - cg[hs + m];
        s2 += e * e;
      }
      int at = g;
      while (at > 0 && gD[at - 1] > s2) {
        gD[at] = gD[at - 1];
        gI[at] = gI[at - 1];
        at--;
      }
      gD[at] = s2;
      gI[at] = g;
    }
    for (int t = 0; t < w; t++) {
      const int src = J->slotSrc[t];
      vq[t] = src < hs ? Hq[src] : Y[src - hs];
    }
    knn_query(J, q, b0 + q, nG, (double)(p - mx), J->blockVals + (size_t)q * p, projSlots, nProj);
  }
}
