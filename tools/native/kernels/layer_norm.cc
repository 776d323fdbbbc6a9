// Layer normalisation over the last axis as two TensorFlow ops, forward and backward, for the
// course's native backend (lib/accel/native/fusedLayerNorm.ts calls them).
//
//   CourseLayerNorm(x [..., d], gamma [d], beta [d]; epsilon)
//     -> y = x̂ γ + β,  x̂ = (x − μ) / √(σ² + ε)  [..., d],  x̂  [..., d],  1/√(σ² + ε)  [..., 1]
//   CourseLayerNormGrad(dy [..., d], x̂ [..., d], 1/√(σ² + ε) [..., 1], gamma [d])
//     -> ∂L/∂x [..., d], ∂L/∂γ [d], ∂L/∂β [d]
//
// with the gradient of Ba et al. 2016 (g = dy γ):
//   ∂L/∂x = (g − mean_d(g) − x̂ mean_d(g x̂)) / √(σ² + ε),  ∂L/∂γ = Σ_rows dy x̂,  ∂L/∂β = Σ_rows dy
//
// Why: TensorFlow has no layer-norm kernel, and built from its ops the forward pass is nine eager
// ops and the backward twelve, each a pass over the whole activation. A transformer block's
// training step spent a fifth of its time there. Here each is one pass over rows that fit in L1.
//
// Compiled with -fopenmp-simd: the `omp simd` pragmas let the compiler vectorise the row sums
// (no OpenMP runtime is involved). Registered through TensorFlow's C op and kernel API (tensorflow/c/ops.h, kernels.h), whose ABI
// is stable across compilers; tools/native/setup.ts compiles this file into tfjs-node's binding,
// and a static initialiser registers both ops when Node loads it.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "tensorflow/c/kernels.h"
#include "tensorflow/c/ops.h"
#include "tensorflow/c/tf_status.h"
#include "tensorflow/c/tf_tensor.h"

namespace {

// ---------------------------------------------------------------------------------------------
// Small owners for the C API's objects.

struct Status {
  TF_Status* s = TF_NewStatus();
  ~Status() { TF_DeleteStatus(s); }
  bool ok() const { return TF_GetCode(s) == TF_OK; }
};

struct Tensor {
  TF_Tensor* t = nullptr;
  ~Tensor() {
    if (t != nullptr) TF_DeleteTensor(t);
  }
  float* data() const { return static_cast<float*>(TF_TensorData(t)); }
  int rank() const { return TF_NumDims(t); }
  int64_t dim(int i) const { return TF_Dim(t, i); }
  int64_t size() const { return TF_TensorElementCount(t); }
  std::vector<int64_t> shape() const {
    std::vector<int64_t> s(rank());
    for (int i = 0; i < rank(); ++i) s[i] = dim(i);
    return s;
  }
};

void Fail(TF_OpKernelContext* ctx, const std::string& message) {
  Status status;
  TF_SetStatus(status.s, TF_INVALID_ARGUMENT, message.c_str());
  TF_OpKernelContext_Failure(ctx, status.s);
}

bool Input(TF_OpKernelContext* ctx, int i, Tensor* out) {
  Status status;
  TF_GetInput(ctx, i, &out->t, status.s);
  if (!status.ok()) TF_OpKernelContext_Failure(ctx, status.s);
  return status.ok();
}

bool Output(TF_OpKernelContext* ctx, int i, const std::vector<int64_t>& shape, Tensor* out) {
  Status status;
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  out->t = TF_AllocateOutput(ctx, i, TF_FLOAT, shape.data(), static_cast<int>(shape.size()), n * sizeof(float), status.s);
  if (!status.ok()) TF_OpKernelContext_Failure(ctx, status.s);
  return status.ok();
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// x: [..., d] with d > 0, and each `vectors` entry [d].
bool CheckShapes(TF_OpKernelContext* ctx, const char* op, const Tensor& x, std::initializer_list<const Tensor*> vectors) {
  if (x.rank() < 1 || x.dim(x.rank() - 1) == 0) {
    Fail(ctx, std::string(op) + ": x must have a non-empty last axis, got " + ShapeString(x.shape()));
    return false;
  }
  const int64_t d = x.dim(x.rank() - 1);
  for (const Tensor* v : vectors) {
    if (v->rank() != 1 || v->dim(0) != d) {
      Fail(ctx, std::string(op) + ": gamma and beta must be [" + std::to_string(d) + "], got " + ShapeString(v->shape()));
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// CourseLayerNorm

struct LayerNormKernel {
  float epsilon = 1e-5f;
};

void* CreateLayerNorm(TF_OpKernelConstruction* ctx) {
  auto* kernel = new LayerNormKernel;
  Status status;
  TF_OpKernelConstruction_GetAttrFloat(ctx, "epsilon", &kernel->epsilon, status.s);
  if (!status.ok()) TF_OpKernelConstruction_Failure(ctx, status.s);
  return kernel;
}

void DeleteLayerNorm(void* kernel) { delete static_cast<LayerNormKernel*>(kernel); }

void ComputeLayerNorm(void* kernel, TF_OpKernelContext* ctx) {
  const float epsilon = static_cast<LayerNormKernel*>(kernel)->epsilon;
  Tensor x, gamma, beta;
  if (!Input(ctx, 0, &x) || !Input(ctx, 1, &gamma) || !Input(ctx, 2, &beta)) return;
  if (!CheckShapes(ctx, "CourseLayerNorm", x, {&gamma, &beta})) return;
  std::vector<int64_t> shape = x.shape();
  std::vector<int64_t> rowShape = shape;
  rowShape.back() = 1;
  Tensor y, normalised, invStd;
  if (!Output(ctx, 0, shape, &y) || !Output(ctx, 1, shape, &normalised) || !Output(ctx, 2, rowShape, &invStd)) return;

  const int64_t d = shape.back();
  const int64_t rows = x.size() / d;
  const float* g = gamma.data();
  const float* b = beta.data();
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x.data() + r * d;
    float* yr = y.data() + r * d;
    float* hr = normalised.data() + r * d;
    float sum = 0.f;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < d; ++j) sum += xr[j];
    const float mean = sum / d;
    float squares = 0.f;
#pragma omp simd reduction(+ : squares)
    for (int64_t j = 0; j < d; ++j) squares += (xr[j] - mean) * (xr[j] - mean);
    const float inv = 1.f / std::sqrt(squares / d + epsilon);
    for (int64_t j = 0; j < d; ++j) {
      hr[j] = (xr[j] - mean) * inv;
      yr[j] = hr[j] * g[j] + b[j];
    }
    invStd.data()[r] = inv;
  }
}

// ---------------------------------------------------------------------------------------------
// CourseLayerNormGrad

void* CreateLayerNormGrad(TF_OpKernelConstruction*) { return nullptr; }
void DeleteLayerNormGrad(void*) {}

void ComputeLayerNormGrad(void*, TF_OpKernelContext* ctx) {
  Tensor dy, normalised, invStd, gamma;
  if (!Input(ctx, 0, &dy) || !Input(ctx, 1, &normalised) || !Input(ctx, 2, &invStd) || !Input(ctx, 3, &gamma)) return;
  if (!CheckShapes(ctx, "CourseLayerNormGrad", dy, {&gamma})) return;
  const int64_t d = dy.dim(dy.rank() - 1);
  const int64_t rows = dy.size() / d;
  if (normalised.size() != dy.size() || invStd.size() != rows) {
    Fail(ctx, "CourseLayerNormGrad: dy " + ShapeString(dy.shape()) + ", x̂ " + ShapeString(normalised.shape()) + " and 1/std " +
                  ShapeString(invStd.shape()) + " do not belong together");
    return;
  }
  Tensor dx, dGamma, dBeta;
  if (!Output(ctx, 0, dy.shape(), &dx) || !Output(ctx, 1, {d}, &dGamma) || !Output(ctx, 2, {d}, &dBeta)) return;

  // Sums over rows in double: thousands of float terms each.
  std::vector<double> gammaSum(d, 0.0), betaSum(d, 0.0);
  const float* g = gamma.data();
  for (int64_t r = 0; r < rows; ++r) {
    const float* dyr = dy.data() + r * d;
    const float* hr = normalised.data() + r * d;
    float* dxr = dx.data() + r * d;
    float sumG = 0.f, sumGx = 0.f;
#pragma omp simd reduction(+ : sumG, sumGx)
    for (int64_t j = 0; j < d; ++j) {
      sumG += dyr[j] * g[j];
      sumGx += dyr[j] * g[j] * hr[j];
    }
    const float meanG = sumG / d, meanGx = sumGx / d, inv = invStd.data()[r];
    for (int64_t j = 0; j < d; ++j) {
      dxr[j] = (dyr[j] * g[j] - meanG - hr[j] * meanGx) * inv;
      gammaSum[j] += dyr[j] * hr[j];
      betaSum[j] += dyr[j];
    }
  }
  for (int64_t j = 0; j < d; ++j) {
    dGamma.data()[j] = static_cast<float>(gammaSum[j]);
    dBeta.data()[j] = static_cast<float>(betaSum[j]);
  }
}

// ---------------------------------------------------------------------------------------------
// Registration

void UnknownShapes(TF_ShapeInferenceContext* ctx, TF_Status* status) { TF_ShapeInferenceContextSetUnknownShape(ctx, status); }

void RegisterOp(const char* name, std::initializer_list<const char*> inputs, std::initializer_list<const char*> outputs,
                std::initializer_list<const char*> attrs, void* (*create)(TF_OpKernelConstruction*),
                void (*compute)(void*, TF_OpKernelContext*), void (*destroy)(void*)) {
  TF_OpDefinitionBuilder* op = TF_NewOpDefinitionBuilder(name);
  for (const char* spec : inputs) TF_OpDefinitionBuilderAddInput(op, spec);
  for (const char* spec : outputs) TF_OpDefinitionBuilderAddOutput(op, spec);
  for (const char* spec : attrs) TF_OpDefinitionBuilderAddAttr(op, spec);
  TF_OpDefinitionBuilderSetShapeInferenceFunction(op, &UnknownShapes);  // eager ops take their shapes from the kernel
  Status status;
  TF_RegisterOpDefinition(op, status.s);
  if (status.ok()) TF_RegisterKernelBuilder(name, TF_NewKernelBuilder(name, "CPU", create, compute, destroy), status.s);
  if (!status.ok()) std::fprintf(stderr, "course kernels: registering %s failed: %s\n", name, TF_Message(status.s));
}

const bool registered = [] {
  RegisterOp("CourseLayerNorm", {"x: float", "gamma: float", "beta: float"}, {"y: float", "normalised: float", "inv_std: float"},
             {"epsilon: float = 1e-5"}, &CreateLayerNorm, &ComputeLayerNorm, &DeleteLayerNorm);
  RegisterOp("CourseLayerNormGrad", {"dy: float", "normalised: float", "inv_std: float", "gamma: float"},
             {"dx: float", "d_gamma: float", "d_beta: float"}, {}, &CreateLayerNormGrad, &ComputeLayerNormGrad, &DeleteLayerNormGrad);
  return true;
}();

}  // namespace
