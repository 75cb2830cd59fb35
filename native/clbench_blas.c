/*
 * clbench's native matmul: OpenBLAS sgemm behind a few N-API functions, called by the tfjs
 * kernels in src/backend/native-kernels.ts. Operands are ArrayBuffers (the wasm backend's heap)
 * or typed arrays (the cpu backend's tensors) plus element offsets; every extent is checked
 * against the buffer, so a wrong shape throws a JS error instead of touching foreign memory.
 */
#include <node_api.h>
#include <cblas.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                  \
  do {                                                               \
    if ((call) != napi_ok) {                                         \
      napi_throw_error(env, NULL, "clbench_blas: N-API call failed"); \
      return NULL;                                                   \
    }                                                                \
  } while (0)

#define FAIL(message)                         \
  do {                                        \
    napi_throw_range_error(env, NULL, message); \
    return NULL;                              \
  } while (0)

enum { ACT_LINEAR = 0, ACT_RELU = 1 };

/*
 * Threads for one product. OpenBLAS would thread anything above ~0.25M multiply-adds, but waking
 * a second thread costs more than it saves below a few million (a 10x784x100 training matmul
 * runs 5x slower on two threads), so small products run on the calling thread alone.
 */
static int max_threads = 1;
static int current_threads = -1;
static const double THREADED_MACS = 4.0e6;

static void use_threads(double macs) {
  int wanted = macs >= THREADED_MACS ? max_threads : 1;
  if (wanted != current_threads) {
    openblas_set_num_threads(wanted);
    current_threads = wanted;
  }
}

/* A float view of an ArrayBuffer or typed array: its data and length in floats. */
typedef struct {
  float *data;
  size_t length;
} floats;

static bool get_floats(napi_env env, napi_value value, floats *out) {
  bool is_typed = false, is_buffer = false;
  void *data = NULL;
  size_t bytes = 0;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok) return false;
  if (is_typed) {
    napi_typedarray_type type;
    size_t length;
    napi_value buffer;
    size_t offset;
    if (napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset) != napi_ok) return false;
    if (type != napi_float32_array) return false;
    out->data = data;
    out->length = length;
    return true;
  }
  if (napi_is_arraybuffer(env, value, &is_buffer) != napi_ok || !is_buffer) return false;
  if (napi_get_arraybuffer_info(env, value, &data, &bytes) != napi_ok) return false;
  out->data = data;
  out->length = bytes / sizeof(float);
  return true;
}

static bool get_i64(napi_env env, napi_value value, int64_t *out) {
  return napi_get_value_int64(env, value, out) == napi_ok;
}

/* The last element touched by `batch` row-major matrices of rows x cols with leading dimension ld. */
static bool fits(const floats *f, int64_t offset, int64_t batch, int64_t stride, int64_t rows, int64_t cols, int64_t ld) {
  if (offset < 0 || batch < 1 || stride < 0 || rows < 0 || cols < 0 || ld < cols || ld < 1) return false;
  if (rows == 0 || cols == 0) return true;
  int64_t end = offset + (batch - 1) * stride + (rows - 1) * ld + cols;
  return end <= (int64_t)f->length;
}

/*
 * gemm(transA, transB, m, n, k, batch,
 *      a, aOffset, aStride, b, bOffset, bStride, c, cOffset,
 *      bias|null, biasOffset, biasLength, activation)
 *
 * For each batch entry i: C_i = act(op(A_i) op(B_i) + bias), C_i dense [m, n] at cOffset + i*m*n.
 * A_i is op(A) of [m, k] stored as [m, k] (or [k, m] when transA); strides are in floats and a
 * stride of 0 broadcasts one matrix over the batch. bias has biasLength 0 (none), 1 or n.
 */
static napi_value gemm(napi_env env, napi_callback_info info) {
  size_t argc = 18;
  napi_value argv[18];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 18) FAIL("gemm expects 18 arguments");
  bool ta, tb;
  int64_t m, n, k, batch, a_off, a_stride, b_off, b_stride, c_off, bias_off, bias_len, act;
  floats a, b, c, bias = {NULL, 0};
  CHECK(napi_get_value_bool(env, argv[0], &ta));
  CHECK(napi_get_value_bool(env, argv[1], &tb));
  if (!get_i64(env, argv[2], &m) || !get_i64(env, argv[3], &n) || !get_i64(env, argv[4], &k) ||
      !get_i64(env, argv[5], &batch) || !get_i64(env, argv[7], &a_off) || !get_i64(env, argv[8], &a_stride) ||
      !get_i64(env, argv[10], &b_off) || !get_i64(env, argv[11], &b_stride) || !get_i64(env, argv[13], &c_off) ||
      !get_i64(env, argv[15], &bias_off) || !get_i64(env, argv[16], &bias_len) || !get_i64(env, argv[17], &act))
    FAIL("gemm: sizes and offsets must be integers");
  if (!get_floats(env, argv[6], &a) || !get_floats(env, argv[9], &b) || !get_floats(env, argv[12], &c))
    FAIL("gemm: operands must be ArrayBuffers or Float32Arrays");
  if (m < 0 || n < 0 || k < 0 || batch < 1 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) FAIL("gemm: bad sizes");
  if (act != ACT_LINEAR && act != ACT_RELU) FAIL("gemm: unknown activation");
  if (bias_len != 0) {
    if (!get_floats(env, argv[14], &bias)) FAIL("gemm: bias must be an ArrayBuffer or Float32Array");
    if (bias_len != 1 && bias_len != n) FAIL("gemm: bias length must be 1 or n");
    if (!fits(&bias, bias_off, 1, 0, 1, bias_len, bias_len)) FAIL("gemm: bias out of bounds");
  }
  /* op(A) is m x k: stored as m x k (lda = k) or, transposed, as k x m (lda = m). */
  int64_t lda = ta ? m : k, ldb = tb ? k : n;
  if (!fits(&a, a_off, batch, a_stride, ta ? k : m, ta ? m : k, lda > 0 ? lda : 1)) FAIL("gemm: A out of bounds");
  if (!fits(&b, b_off, batch, b_stride, tb ? n : k, tb ? k : n, ldb > 0 ? ldb : 1)) FAIL("gemm: B out of bounds");
  if (!fits(&c, c_off, batch, m * n, m, n, n > 0 ? n : 1)) FAIL("gemm: C out of bounds");
  if (m == 0 || n == 0) return NULL;

  use_threads((double)m * (double)n * (double)k);
  for (int64_t i = 0; i < batch; i++) {
    float *ci = c.data + c_off + i * m * n;
    float beta = 0.0f;
    if (bias_len > 0) {
      const float *bv = bias.data + bias_off;
      for (int64_t r = 0; r < m; r++) {
        float *row = ci + r * n;
        if (bias_len == 1) for (int64_t j = 0; j < n; j++) row[j] = bv[0];
        else memcpy(row, bv, (size_t)n * sizeof(float));
      }
      beta = 1.0f;
    }
    if (k > 0) {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
                  1.0f, a.data + a_off + i * a_stride, (int)(lda > 0 ? lda : 1), b.data + b_off + i * b_stride,
                  (int)(ldb > 0 ? ldb : 1), beta, ci, (int)n);
    } else if (bias_len == 0) {
      memset(ci, 0, (size_t)(m * n) * sizeof(float));
    }
    if (act == ACT_RELU) {
      for (int64_t j = 0; j < m * n; j++) ci[j] = ci[j] > 0.0f ? ci[j] : 0.0f;
    }
  }
  return NULL;
}

/*
 * denseBackward(n, din, dout, relu, x, xOff, w, wOff, y, yOff, dy, dyOff, dx|null, dxOff, dw, dwOff, db, dbOff)
 *
 * The whole backward pass of y = act(x·W + b) in one call: with g = dy ⊙ act'(y),
 * dW = xᵀ·g, db = Σ_rows g and, unless dx is null (the layer's input needs no gradient), dx = g·Wᵀ.
 * act is relu (relu = true; its derivative read off y > 0) or linear.
 */
static napi_value dense_backward(napi_env env, napi_callback_info info) {
  size_t argc = 18;
  napi_value argv[18];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 18) FAIL("denseBackward expects 18 arguments");
  int64_t n, din, dout, x_off, w_off, y_off, dy_off, dx_off, dw_off, db_off;
  bool relu;
  floats x, w, y, dy, dx = {NULL, 0}, dw, db;
  napi_valuetype dx_type;
  if (!get_i64(env, argv[0], &n) || !get_i64(env, argv[1], &din) || !get_i64(env, argv[2], &dout) ||
      !get_i64(env, argv[5], &x_off) || !get_i64(env, argv[7], &w_off) || !get_i64(env, argv[9], &y_off) ||
      !get_i64(env, argv[11], &dy_off) || !get_i64(env, argv[13], &dx_off) || !get_i64(env, argv[15], &dw_off) ||
      !get_i64(env, argv[17], &db_off))
    FAIL("denseBackward: sizes and offsets must be integers");
  CHECK(napi_get_value_bool(env, argv[3], &relu));
  CHECK(napi_typeof(env, argv[12], &dx_type));
  bool want_dx = dx_type != napi_null;
  if (!get_floats(env, argv[4], &x) || !get_floats(env, argv[6], &w) || !get_floats(env, argv[8], &y) ||
      !get_floats(env, argv[10], &dy) || (want_dx && !get_floats(env, argv[12], &dx)) || !get_floats(env, argv[14], &dw) ||
      !get_floats(env, argv[16], &db))
    FAIL("denseBackward: operands must be ArrayBuffers or Float32Arrays");
  if (n < 1 || din < 1 || dout < 1 || n > INT32_MAX || din > INT32_MAX || dout > INT32_MAX) FAIL("denseBackward: bad sizes");
  if (!fits(&x, x_off, 1, 0, n, din, din) || !fits(&w, w_off, 1, 0, din, dout, dout) || !fits(&y, y_off, 1, 0, n, dout, dout) ||
      !fits(&dy, dy_off, 1, 0, n, dout, dout) || (want_dx && !fits(&dx, dx_off, 1, 0, n, din, din)) ||
      !fits(&dw, dw_off, 1, 0, din, dout, dout) || !fits(&db, db_off, 1, 0, 1, dout, dout))
    FAIL("denseBackward: operand out of bounds");

  const float *g = dy.data + dy_off;
  float *masked = NULL;
  if (relu) {
    masked = malloc((size_t)(n * dout) * sizeof(float));
    if (!masked) FAIL("denseBackward: out of memory");
    const float *yv = y.data + y_off;
    for (int64_t i = 0; i < n * dout; i++) masked[i] = yv[i] > 0.0f ? g[i] : 0.0f;
    g = masked;
  }
  float *dbv = db.data + db_off;
  for (int64_t j = 0; j < dout; j++) dbv[j] = 0.0f;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < dout; j++) dbv[j] += g[i * dout + j];
  use_threads((double)n * (double)din * (double)dout);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)din, (int)dout, (int)n, 1.0f, x.data + x_off, (int)din, g,
              (int)dout, 0.0f, dw.data + dw_off, (int)dout);
  if (want_dx) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)din, (int)dout, 1.0f, g, (int)dout,
                w.data + w_off, (int)dout, 0.0f, dx.data + dx_off, (int)din);
  }
  free(masked);
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t threads;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1 || !get_i64(env, argv[0], &threads) || threads < 1 || threads > 1024) FAIL("setThreads expects a positive integer");
  max_threads = (int)threads;
  current_threads = -1;
  use_threads(0);
  return NULL;
}

static napi_value get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_int32(env, max_threads, &out));
  return out;
}

static napi_value get_config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out));
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"denseBackward", NULL, dense_backward, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"threads", NULL, get_threads, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, get_config, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}
