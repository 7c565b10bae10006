//! Our own kernels for three operators of the MediaPipe models, put in place of tract's before
//! the models are optimised.
//!
//! Profiled per operator (`--example profile_models`), tract 0.23 spends much of a frame's
//! model time in three operators these models use over and over: 3×3 depthwise convolution
//! (stride 1 padded 1 all round, or stride 2 padded 1 at the bottom and right, TensorFlow's
//! "same"), 2×2 max pooling with stride 2 (~6 ns an output), and PReLU, which the converted
//! models spell as four element-wise nodes that tract runs as two passes.
//! All three are simple enough to write as plain loops over channel planes that the compiler
//! vectorises (no `unsafe`; compiled for AVX2 too, and the copy this CPU runs picked at run
//! time), and exact enough to check
//! against tract's own operators, which the tests do on every model. Every other shape, layout
//! or type is left to tract.
//!
//! The swap happens on the decluttered model ([`substitute`]); the optimiser then leaves our
//! operators as they are and optimises the rest.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{
    EvalContext, EvalOp, Op, StaticName, TypedModelPatch, TypedOp, ensure,
};
use tract_onnx::tract_core::ops::binary::TypedBinOp;
use tract_onnx::tract_core::ops::cnn::{Conv, KernelFormat, MaxPool, PaddingSpec};
use tract_onnx::tract_core::ops::nn::DataFormat;

/// A 3×3 depthwise convolution over f32 channel planes: inputs data `[1, C, H, W]` (or
/// `[C, H, W]` where tract has dropped the batch axis), kernel `[C, 1, 3, 3]`, bias `C` values or one for all.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Depthwise3x3 {
    /// The data has its batch axis (NCHW), else CHW.
    batch: bool,
    /// 1 or 2, both axes.
    stride: usize,
    /// Zero padding before (top, left) and after (bottom, right).
    pad: [usize; 4],
    /// `[C, H, W]` of the input.
    input: [usize; 3],
    /// `[Ho, Wo]` of the output.
    output: [usize; 2],
}

impl Depthwise3x3 {
    /// The operator for a tract convolution, when it is one we compute: depthwise, 3×3, f32,
    /// NCHW with batch 1 or CHW, stride 1 or 2 on both axes, no dilation, no padding or
    /// explicit padding of at most one a side.
    fn of(conv: &Conv, x: &TypedFact, out: &TypedFact) -> Option<Depthwise3x3> {
        let ps = &conv.pool_spec;
        let (batch, [c, h, w]) = planes(ps.data_format, x)?;
        let (_, [oc, ho, wo]) = planes(ps.data_format, out)?;
        if conv.q_params.is_some()
            || conv.kernel_fmt != KernelFormat::OIHW
            || conv.group != c
            || oc != c
            || ps.kernel_shape.as_slice() != [3usize, 3]
            || ps
                .dilations
                .as_ref()
                .is_some_and(|d| d.iter().any(|&d| d != 1))
        {
            return None;
        }
        let stride = match ps.strides.as_deref() {
            None => 1,
            Some([a, b]) if a == b && (*a == 1 || *a == 2) => *a,
            Some(_) => return None,
        };
        let pad = match &ps.padding {
            PaddingSpec::Valid => [0; 4],
            PaddingSpec::Explicit(b, a) if b.len() == 2 && a.len() == 2 => [b[0], b[1], a[0], a[1]],
            _ => return None,
        };
        if pad.iter().any(|&p| p > 1) {
            return None;
        }
        // The output size the padding and stride give must be the one tract worked out.
        let size = |n: usize, before: usize, after: usize| {
            Some((n + before + after).checked_sub(3)? / stride + 1)
        };
        if size(h, pad[0], pad[2])? != ho || size(w, pad[1], pad[3])? != wo {
            return None;
        }
        Some(Depthwise3x3 {
            batch,
            stride,
            pad,
            input: [c, h, w],
            output: [ho, wo],
        })
    }

    /// `[C, Ho, Wo]` of the output.
    fn output_planes(&self) -> [usize; 3] {
        [self.input[0], self.output[0], self.output[1]]
    }
}

impl Kernel<3> for Depthwise3x3 {
    /// Each channel plane is copied once into a zero-bordered scratch (for stride 2, each
    /// padded row split into its even and odd columns), so the inner loop reads three rows with
    /// no edge tests: out[x] = bias + Σ k · row[x·s + kx]. Every channel writes the same cells
    /// of the scratch, so its border stays the zeros it was made with.
    #[inline(always)]
    fn run(&self, [x, k, bias]: [&[f32]; 3], out: &mut [f32]) {
        let [c, h, w] = self.input;
        let [ho, wo] = self.output;
        let [pt, pl, _, _] = self.pad;
        let s = self.stride;
        // Padded rows needed: the last output row reads down to (ho - 1)·s + 2.
        let ph = (ho - 1) * s + 3;
        let pw = (wo - 1) * s + 3;
        // Stride 2: a padded row of pw values becomes evens (pw+1)/2 then odds pw/2.
        let half = pw.div_ceil(2);
        let mut pad = vec![0.0f32; ph * pw];
        for ch in 0..c {
            let plane = &x[ch * h * w..(ch + 1) * h * w];
            for (py, row) in pad.chunks_exact_mut(pw).enumerate() {
                let Some(iy) = py.checked_sub(pt).filter(|&y| y < h) else {
                    continue;
                };
                let src = &plane[iy * w..(iy + 1) * w];
                let n = w.min(pw - pl);
                if s == 1 {
                    row[pl..pl + n].copy_from_slice(&src[..n]);
                } else {
                    // Padded column pl + i: the even ones to the first half, the odd ones to
                    // the second, so the input's own evens and odds land in turn in each.
                    let (even, odd) = row.split_at_mut(half);
                    let (first, second) = if pl == 0 {
                        (even, &mut odd[..])
                    } else {
                        (odd, &mut even[1..])
                    };
                    let src = &src[..n];
                    for (d, &v) in first.iter_mut().zip(src.iter().step_by(2)) {
                        *d = v;
                    }
                    for (d, &v) in second.iter_mut().zip(src.iter().skip(1).step_by(2)) {
                        *d = v;
                    }
                }
            }
            let kk = &k[ch * 9..ch * 9 + 9];
            // One bias for all channels where the model has a uniform one.
            let b = bias[if bias.len() == 1 { 0 } else { ch }];
            let plane_out = &mut out[ch * ho * wo..(ch + 1) * ho * wo];
            for (oy, o) in plane_out.chunks_exact_mut(wo).enumerate() {
                o.fill(b);
                // Row by row of the kernel: three taps a pass, at columns x·s, x·s + 1, x·s + 2 of
                // the padded row (measured faster than all nine taps in one pass).
                for ky in 0..3 {
                    let row = &pad[(oy * s + ky) * pw..(oy * s + ky + 1) * pw];
                    let (k0, k1, k2) = (kk[ky * 3], kk[ky * 3 + 1], kk[ky * 3 + 2]);
                    let (a, m, z) = if s == 1 {
                        (&row[..wo], &row[1..wo + 1], &row[2..wo + 2])
                    } else {
                        (&row[..wo], &row[half..half + wo], &row[1..wo + 1])
                    };
                    for (((o, &a), &m), &z) in o.iter_mut().zip(a).zip(m).zip(z) {
                        *o += k0 * a + k1 * m + k2 * z;
                    }
                }
            }
        }
    }
}

/// Whether a fact is f32 channel planes with a concrete shape, batch 1 (NCHW) or none (CHW):
/// whether the batch axis is there, and `[C, H, W]`.
fn planes(format: DataFormat, fact: &TypedFact) -> Option<(bool, [usize; 3])> {
    if fact.datum_type != f32::datum_type() {
        return None;
    }
    match (format, fact.shape.as_concrete()?) {
        (DataFormat::NCHW, &[1, c, h, w]) => Some((true, [c, h, w])),
        (DataFormat::CHW, &[c, h, w]) => Some((false, [c, h, w])),
        _ => None,
    }
}

/// The shape of `[C, H, W]` planes, with the batch axis when `batch`.
fn shape(batch: bool, [c, h, w]: [usize; 3]) -> TVec<usize> {
    if batch {
        tvec![1, c, h, w]
    } else {
        tvec![c, h, w]
    }
}

/// An operator's one output: a new f32 tensor of `planes` (with the batch axis when `batch`),
/// filled by `fill`.
fn output(
    batch: bool,
    planes: [usize; 3],
    fill: impl FnOnce(&mut [f32]),
) -> TractResult<TVec<TValue>> {
    let mut out = Tensor::zero::<f32>(&shape(batch, planes))?;
    fill(out.try_as_plain_ram_mut()?.as_slice_mut::<f32>()?);
    Ok(tvec!(out.into_tvalue()))
}

impl EvalOp for Depthwise3x3 {
    fn eval(&self, _: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let [c, h, w] = self.input;
        let (x, k, b) = (
            inputs[0].try_as_plain_ram()?,
            inputs[1].try_as_plain_ram()?,
            inputs[2].try_as_plain_ram()?,
        );
        let (x, k, b) = (
            x.as_slice::<f32>()?,
            k.as_slice::<f32>()?,
            b.as_slice::<f32>()?,
        );
        ensure!(
            x.len() == c * h * w && k.len() == c * 9 && (b.len() == c || b.len() == 1),
            "depthwise input sizes {} {} {}",
            x.len(),
            k.len(),
            b.len()
        );
        output(self.batch, self.output_planes(), |out| {
            on_widest(self, [x, k, b], out)
        })
    }

    tract_onnx::tract_core::op_out_of_plan!();
}

/// 2×2 max pooling with stride 2 over f32 channel planes (NCHW with batch 1, or CHW), no
/// padding, rounding the output size down.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct MaxPool2x2 {
    /// The data has its batch axis (NCHW), else CHW.
    batch: bool,
    /// `[C, H, W]` of the input.
    input: [usize; 3],
}

impl MaxPool2x2 {
    fn of(pool: &MaxPool, x: &TypedFact, out: &TypedFact) -> Option<MaxPool2x2> {
        let ps = &pool.pool_spec;
        let (batch, [c, h, w]) = planes(ps.data_format, x)?;
        let zero = |v: &TVec<usize>| v.iter().all(|&p| p == 0);
        let unpadded = match &ps.padding {
            PaddingSpec::Valid => true,
            PaddingSpec::Explicit(b, a) => zero(b) && zero(a),
            PaddingSpec::ExplicitOnnxPool(b, a, _) => zero(b) && zero(a),
            _ => false,
        };
        let ok = pool.with_index_outputs.is_none()
            && ps.kernel_shape.as_slice() == [2usize, 2]
            && ps.strides.as_deref() == Some(&[2usize, 2][..])
            && ps
                .dilations
                .as_ref()
                .is_none_or(|d| d.iter().all(|&d| d == 1))
            && unpadded
            && planes(ps.data_format, out) == Some((batch, [c, h / 2, w / 2]));
        ok.then_some(MaxPool2x2 {
            batch,
            input: [c, h, w],
        })
    }

    /// `[C, H/2, W/2]` of the output.
    fn output_planes(&self) -> [usize; 3] {
        let [c, h, w] = self.input;
        [c, h / 2, w / 2]
    }
}

impl Kernel<1> for MaxPool2x2 {
    /// Each output the largest of its 2×2 inputs.
    #[inline(always)]
    fn run(&self, [x]: [&[f32]; 1], o: &mut [f32]) {
        let [c, h, w] = self.input;
        let [_, ho, wo] = self.output_planes();
        for ch in 0..c {
            let plane = &x[ch * h * w..(ch + 1) * h * w];
            for (oy, orow) in o[ch * ho * wo..(ch + 1) * ho * wo]
                .chunks_exact_mut(wo)
                .enumerate()
            {
                let r0 = &plane[2 * oy * w..2 * oy * w + 2 * wo];
                let r1 = &plane[(2 * oy + 1) * w..(2 * oy + 1) * w + 2 * wo];
                for ((o, a), b) in orow
                    .iter_mut()
                    .zip(r0.chunks_exact(2))
                    .zip(r1.chunks_exact(2))
                {
                    *o = a[0].max(a[1]).max(b[0].max(b[1]));
                }
            }
        }
    }
}

impl EvalOp for MaxPool2x2 {
    fn eval(&self, _: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let [c, h, w] = self.input;
        let x = inputs[0].try_as_plain_ram()?;
        let x = x.as_slice::<f32>()?;
        ensure!(x.len() == c * h * w, "max pool input size {}", x.len());
        output(self.batch, self.output_planes(), |out| {
            on_widest(self, [x], out)
        })
    }

    tract_onnx::tract_core::op_out_of_plan!();
}

/// PReLU over f32 channel planes, one slope a channel: `x` where `x > 0`, else `slope · x`.
/// The models were converted with each PReLU written as `max(x, 0) + slope · min(x, 0)` (tract
/// expands its own PRelu into a compare and a select over broadcast tensors); tract runs that
/// as two passes of two operations each. This is the same function in one pass, to the bit
/// for every number: for `x > 0` the sum is `x + 0`, else `0 + slope · x` (a NaN, which no
/// image gives, would come out NaN here and 0 there).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Prelu {
    /// The data has its batch axis (NCHW), else CHW.
    batch: bool,
    /// `[C, H, W]` of the input.
    input: [usize; 3],
}

impl Prelu {
    /// The `Add` node `add`, when it is `max(x, 0) + min(x, 0) · slope` (either order) over
    /// channel planes with a constant slope a channel: the operator and its inputs `[x, slope]`.
    fn of(model: &TypedModel, add: &TypedNode) -> Option<(Prelu, [OutletId; 2])> {
        // A node of the chain: the binary operation `name`, read by nothing but the chain (a
        // Max or Min that fed something else too would have to stay, and run twice).
        let outputs = model.output_outlets().ok()?;
        let op = |o: OutletId, name: &str| {
            let n = &model.nodes[o.node];
            let only_chain =
                n.outputs.len() == 1 && n.outputs[0].successors.len() == 1 && !outputs.contains(&o);
            (n.op_is::<TypedBinOp>() && n.op().name() == name && n.inputs.len() == 2 && only_chain)
                .then_some(n)
        };
        let konst = |o: OutletId| model.outlet_fact(o).ok()?.konst.clone();
        let zero = |o: OutletId| {
            konst(o).is_some_and(|k| {
                k.try_as_plain_ram()
                    .and_then(|v| v.as_slice::<f32>().map(|v| v.iter().all(|&v| v == 0.0)))
                    .unwrap_or(false)
            })
        };
        if !(add.op_is::<TypedBinOp>() && add.op().name() == "Add" && add.inputs.len() == 2) {
            return None;
        }
        let (a, b) = (add.inputs[0], add.inputs[1]);
        let (max, mul) = match (op(a, "Max"), op(b, "Mul")) {
            (Some(max), Some(mul)) => (max, mul),
            _ => (op(b, "Max")?, op(a, "Mul")?),
        };
        let x = max.inputs[0];
        if !zero(max.inputs[1]) {
            return None;
        }
        let (min, slope) = match op(mul.inputs[0], "Min") {
            Some(min) => (min, mul.inputs[1]),
            None => (op(mul.inputs[1], "Min")?, mul.inputs[0]),
        };
        if min.inputs[0] != x || !zero(min.inputs[1]) {
            return None;
        }
        let fact = model.outlet_fact(x).ok()?;
        let format = if fact.rank() == 4 {
            DataFormat::NCHW
        } else {
            DataFormat::CHW
        };
        let (batch, [c, h, w]) = planes(format, fact)?;
        // One slope a channel: shaped like the data with every other axis 1.
        let k = konst(slope)?;
        let per_channel = k.datum_type() == f32::datum_type()
            && k.len() == c
            && k.rank() == fact.rank()
            && k.shape()[k.rank() - 3] == c;
        let same_out = add.outputs[0].fact.shape.as_concrete() == fact.shape.as_concrete();
        (per_channel && same_out).then_some((
            Prelu {
                batch,
                input: [c, h, w],
            },
            [x, slope],
        ))
    }
}

impl Prelu {
    /// The output has the input's planes.
    fn output_planes(&self) -> [usize; 3] {
        self.input
    }
}

impl Kernel<2> for Prelu {
    /// `x` where `x > 0`, else its channel's slope times `x`.
    #[inline(always)]
    fn run(&self, [x, slope]: [&[f32]; 2], out: &mut [f32]) {
        let [_, h, w] = self.input;
        for ((o, x), &s) in out
            .chunks_exact_mut(h * w)
            .zip(x.chunks_exact(h * w))
            .zip(slope)
        {
            for (o, &v) in o.iter_mut().zip(x) {
                *o = if v > 0.0 { v } else { s * v };
            }
        }
    }
}

impl EvalOp for Prelu {
    fn eval(&self, _: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let [c, h, w] = self.input;
        let (x, slope) = (inputs[0].try_as_plain_ram()?, inputs[1].try_as_plain_ram()?);
        let (x, slope) = (x.as_slice::<f32>()?, slope.as_slice::<f32>()?);
        ensure!(
            x.len() == c * h * w && slope.len() == c,
            "prelu input sizes {} {}",
            x.len(),
            slope.len()
        );
        output(self.batch, self.output_planes(), |out| {
            on_widest(self, [x, slope], out)
        })
    }

    tract_onnx::tract_core::op_out_of_plan!();
}

/// One of our operators' loops over f32 planes, written once as plain Rust and compiled by
/// [`on_widest`] for each instruction set: `N` input slices in tract's order, one output.
trait Kernel<const N: usize> {
    /// Fill `out` from `inputs` (`#[inline(always)]` in every implementation, so that the loops
    /// are compiled inside the dispatch's instruction set).
    fn run(&self, inputs: [&[f32]; N], out: &mut [f32]);
}

/// A kernel and its operands, compiled for each instruction set `pulp` dispatches to.
struct Widest<'a, K, const N: usize> {
    op: &'a K,
    inputs: [&'a [f32]; N],
    out: &'a mut [f32],
}

impl<K: Kernel<N>, const N: usize> pulp::WithSimd for Widest<'_, K, N> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        self.op.run(self.inputs, self.out)
    }
}

/// Run `op`'s loops compiled for the widest vector instructions this CPU has (AVX2 and FMA on
/// a recent x86-64, else the baseline's SSE2): `pulp` checks the CPU once and calls the copy
/// built for it. The compiler vectorises the same loops eight floats wide instead of four, and
/// the arithmetic is the same operations in the same order (Rust never fuses a multiply and an
/// add on its own), so every copy gives the same bits (a NaN's payload aside, which no image
/// gives). Measured with `--example profile_models` on a 2-core VM, the mesh's depthwise layers
/// ran 1.6–2 times as fast and the max pools 3 times.
fn on_widest<K: Kernel<N>, const N: usize>(op: &K, inputs: [&[f32]; N], out: &mut [f32]) {
    pulp::Arch::new().dispatch(Widest { op, inputs, out })
}

/// What every operator here tells tract about itself: its name, that it is a typed operator,
/// and its one output, f32 planes `output_planes()` (with the input's batch axis).
macro_rules! plane_op {
    ($op:ty, $name:literal) => {
        impl Op for $op {
            fn name(&self) -> StaticName {
                $name.into()
            }

            fn as_typed(&self) -> Option<&dyn TypedOp> {
                Some(self)
            }
        }

        impl TypedOp for $op {
            fn as_op(&self) -> &dyn Op {
                self
            }

            fn as_op_mut(&mut self) -> &mut dyn Op {
                self
            }

            fn output_facts(&self, _: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
                Ok(tvec!(f32::fact(shape(self.batch, self.output_planes()))))
            }
        }
    };
}

plane_op!(Depthwise3x3, "CaijiDepthwise3x3");
plane_op!(MaxPool2x2, "CaijiMaxPool2x2");
plane_op!(Prelu, "CaijiPrelu");

/// Put our operators in place of tract's wherever the shapes are ones they compute, in a
/// decluttered model (optimise it afterwards). Returns how many were replaced.
pub fn substitute(model: &mut TypedModel) -> TractResult<Substituted> {
    let mut done = Substituted::default();
    for id in 0..model.nodes.len() {
        let node = &model.nodes[id];
        let (Some(&x), Some(out)) = (node.inputs.first(), node.outputs.first()) else {
            continue;
        };
        let x = model.outlet_fact(x)?;
        let patch = if let Some(op) = node
            .op_as::<Conv>()
            .filter(|_| node.inputs.len() == 3)
            .and_then(|c| Depthwise3x3::of(c, x, &out.fact))
        {
            done.depthwise += 1;
            TypedModelPatch::replace_single_op(model, node, &node.inputs, op)?
        } else if let Some(op) = node
            .op_as::<MaxPool>()
            .and_then(|p| MaxPool2x2::of(p, x, &out.fact))
        {
            done.max_pool += 1;
            TypedModelPatch::replace_single_op(model, node, &node.inputs, op)?
        } else if let Some((op, inputs)) = Prelu::of(model, node) {
            done.prelu += 1;
            TypedModelPatch::replace_single_op(model, node, &inputs, op)?
        } else {
            continue;
        };
        patch.apply(model)?;
    }
    Ok(done)
}

/// How many of tract's operators [`substitute`] replaced with ours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Substituted {
    /// 3×3 depthwise convolutions.
    pub depthwise: usize,
    /// 2×2 max pools.
    pub max_pool: usize,
    /// PReLU activations (each four of tract's nodes).
    pub prelu: usize,
}

/// An ONNX model with its input fact set, decluttered, with our kernels put in, optimised and
/// ready to run.
pub(crate) fn plan(model: InferenceModel) -> TractResult<std::sync::Arc<TypedSimplePlan>> {
    let mut model = model.into_typed()?.into_decluttered()?;
    substitute(&mut model)?;
    model.into_optimized()?.into_runnable()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition: every tap, with its bounds test.
    fn reference(op: &Depthwise3x3, x: &[f32], k: &[f32], b: &[f32]) -> Vec<f32> {
        let [c, h, w] = op.input;
        let [ho, wo] = op.output;
        let mut out = vec![0.0; c * ho * wo];
        for ch in 0..c {
            for oy in 0..ho {
                for ox in 0..wo {
                    let mut acc = b[ch] as f64;
                    for ky in 0..3 {
                        for kx in 0..3 {
                            let iy = (oy * op.stride + ky) as isize - op.pad[0] as isize;
                            let ix = (ox * op.stride + kx) as isize - op.pad[1] as isize;
                            if (0..h as isize).contains(&iy) && (0..w as isize).contains(&ix) {
                                let v = x[ch * h * w + iy as usize * w + ix as usize];
                                acc += (k[ch * 9 + ky * 3 + kx] * v) as f64;
                            }
                        }
                    }
                    out[(ch * ho + oy) * wo + ox] = acc as f32;
                }
            }
        }
        out
    }

    /// A repeatable spread of values in −1..1.
    fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2_654_435_761).max(1);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s as f32 / u32::MAX as f32) * 2.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn depthwise_matches_the_plain_definition_on_even_and_odd_planes() {
        // Stride 1 padded all round, TensorFlow's stride-2 "same" (bottom and right only), no
        // padding, padding on one side of each axis; on sizes even and odd, wide and narrow;
        // every other geometry with one bias for all channels.
        let geometries = [
            (1, [1, 1, 1, 1]),
            (2, [0, 0, 1, 1]),
            (2, [1, 1, 1, 1]),
            (1, [0; 4]),
            (1, [1, 0, 0, 1]),
            (2, [1, 1, 0, 0]),
        ];
        for (i, (stride, pad)) in geometries.into_iter().enumerate() {
            let bias_len = i % 2;
            for (c, h, w) in [(3, 8, 8), (2, 7, 9), (5, 16, 33), (1, 3, 3), (4, 96, 96)] {
                let size = |n: usize, a: usize, b: usize| (n + a + b - 3) / stride + 1;
                let op = Depthwise3x3 {
                    batch: true,
                    stride,
                    pad,
                    input: [c, h, w],
                    output: [size(h, pad[0], pad[2]), size(w, pad[1], pad[3])],
                };
                let b = if bias_len == 1 {
                    vec![0.25; c]
                } else {
                    values(c, 3)
                };
                let (x, k) = (values(c * h * w, 1), values(c * 9, 2));
                let b1 = [0.25];
                let bias: &[f32] = if bias_len == 1 { &b1 } else { &b };
                let want = reference(&op, &x, &k, &b);
                let mut got = vec![f32::NAN; want.len()];
                op.run([&x, &k, bias], &mut got);
                let worst = got
                    .iter()
                    .zip(&want)
                    .map(|(g, w)| (g - w).abs())
                    .fold(0.0f32, f32::max);
                assert!(
                    worst < 1e-5,
                    "stride {stride} pad {pad:?} {c}x{h}x{w}: off by {worst}"
                );
            }
        }
    }

    /// The bits `run` writes into `n` floats dispatched (`run(out, true)`, the copy this CPU
    /// picks) and on the baseline build (SSE2, `false`).
    fn both_ways(n: usize, run: impl Fn(&mut [f32], bool)) -> [Vec<u32>; 2] {
        [true, false].map(|widest| {
            let mut out = vec![0.0f32; n];
            run(&mut out, widest);
            out.iter().map(|v| v.to_bits()).collect()
        })
    }

    /// `op` on `inputs` dispatched, or run as the baseline build computes it.
    fn run_on<K: Kernel<N>, const N: usize>(
        widest: bool,
        op: &K,
        inputs: [&[f32]; N],
        out: &mut [f32],
    ) {
        if widest {
            on_widest(op, inputs, out)
        } else {
            pulp::WithSimd::with_simd(Widest { op, inputs, out }, pulp::Scalar::new())
        }
    }

    #[test]
    fn the_kernels_give_the_same_bits_dispatched_as_on_the_baseline() {
        // On this CPU the dispatch picks AVX2 where it has it (the copy the station runs); the
        // baseline copy is what an older CPU runs. The two must agree to the bit, so that the
        // golden scenes' recorded values hold on both.
        println!("dispatched to {:?}", pulp::Arch::new());
        let (c, h, w) = (7, 37, 45);
        let x = values(c * h * w, 1);
        // The models' two geometries: stride 1 padded all round, TensorFlow's stride-2 "same".
        for (stride, pad) in [(1, [1, 1, 1, 1]), (2, [0, 0, 1, 1])] {
            let size = |n: usize, a: usize, b: usize| (n + a + b - 3) / stride + 1;
            let (ho, wo) = (size(h, pad[0], pad[2]), size(w, pad[1], pad[3]));
            let op = Depthwise3x3 {
                batch: true,
                stride,
                pad,
                input: [c, h, w],
                output: [ho, wo],
            };
            let (k, b) = (values(c * 9, 2), values(c, 3));
            let [wide, base] = both_ways(c * ho * wo, |out, widest| {
                run_on(widest, &op, [&x, &k, &b], out)
            });
            assert_eq!(wide, base, "depthwise, stride {stride}");
        }
        let op = MaxPool2x2 {
            batch: true,
            input: [c, h, w],
        };
        let [wide, base] = both_ways(c * (h / 2) * (w / 2), |out, widest| {
            run_on(widest, &op, [&x], out)
        });
        assert_eq!(wide, base, "max pool");
        let (op, slope) = (
            Prelu {
                batch: true,
                input: [c, h, w],
            },
            values(c, 4),
        );
        let [wide, base] = both_ways(x.len(), |out, widest| {
            run_on(widest, &op, [&x, &slope], out)
        });
        assert_eq!(wide, base, "prelu");
        // Both branches of the PReLU were taken.
        let signs = wide.iter().map(|&v| f32::from_bits(v).is_sign_negative());
        assert!(signs.clone().any(|n| n) && signs.clone().any(|n| !n));
    }

    #[test]
    fn max_pool_takes_the_largest_of_each_square_and_drops_an_odd_edge() {
        let op = MaxPool2x2 {
            batch: true,
            input: [2, 3, 5],
        };
        let x: Vec<f32> = (0..30).map(|v| ((v * 7) % 11) as f32 - 5.0).collect();
        let out = op
            .eval(
                &EvalContext::out_of_plan(),
                tvec!(Tensor::from_shape(&[1, 2, 3, 5], &x).unwrap().into_tvalue()),
            )
            .unwrap();
        let out = out[0].to_plain_array_view::<f32>().unwrap();
        assert_eq!(out.shape(), &[1, 2, 1, 2]);
        for ch in 0..2 {
            for ox in 0..2 {
                let at = |y: usize, x_: usize| x[ch * 15 + y * 5 + 2 * ox + x_];
                let want = at(0, 0).max(at(0, 1)).max(at(1, 0)).max(at(1, 1));
                assert_eq!(out[[0, ch, 0, ox]], want, "channel {ch} column {ox}");
            }
        }
    }

    /// `max(x, 0) + min(m, 0) · slope` over `[1, 2, 3, 3]` planes, with `m` the same `x` or
    /// another input, and the Max also read by a second output when `max_read_twice`.
    fn chain(same_x: bool, max_read_twice: bool) -> TypedModel {
        use tract_onnx::tract_core::ops::math;
        let mut m = TypedModel::default();
        let x = m.add_source("x", f32::fact([1, 2, 3, 3])).unwrap();
        let y = m.add_source("y", f32::fact([1, 2, 3, 3])).unwrap();
        let zero = m.add_const("zero", tensor4(&[[[[0.0f32]]]])).unwrap();
        let slope = m
            .add_const("slope", tensor4(&[[[[0.25f32]], [[-0.5]]]]))
            .unwrap();
        let max = m.wire_node("max", math::max(), &[x, zero]).unwrap()[0];
        let min_of = if same_x { x } else { y };
        let min = m.wire_node("min", math::min(), &[min_of, zero]).unwrap()[0];
        let mul = m.wire_node("mul", math::mul(), &[min, slope]).unwrap()[0];
        let add = m.wire_node("add", math::add(), &[max, mul]).unwrap()[0];
        let outputs = if max_read_twice {
            vec![add, max]
        } else {
            vec![add]
        };
        m.select_output_outlets(&outputs).unwrap();
        m
    }

    #[test]
    fn a_prelu_chain_is_fused_only_when_it_is_one_and_nothing_else_reads_its_parts() {
        let x: Vec<f32> = (0..18).map(|v| v as f32 - 8.5).collect();
        let run = |m: TypedModel| {
            let plan = m.into_runnable().unwrap();
            let t = || Tensor::from_shape(&[1, 2, 3, 3], &x).unwrap().into_tvalue();
            let out = plan.run(tvec!(t(), t())).unwrap();
            out[0]
                .to_plain_array_view::<f32>()
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<_>>()
        };
        let mut fused = chain(true, false);
        assert_eq!(substitute(&mut fused).unwrap().prelu, 1, "a PReLU");
        let want: Vec<f32> = x
            .iter()
            .enumerate()
            .map(|(i, &v)| if v > 0.0 { v } else { v * [0.25, -0.5][i / 9] })
            .collect();
        assert_eq!(run(fused), want, "one slope a channel");
        assert_eq!(run(chain(true, false)), want, "tract's own chain agrees");
        // Min of another tensor: not a PReLU.
        let mut other = chain(false, false);
        assert_eq!(
            substitute(&mut other).unwrap().prelu,
            0,
            "min of another input"
        );
        // The Max also read elsewhere: fusing would run it twice; left as it is.
        let mut shared = chain(true, true);
        assert_eq!(substitute(&mut shared).unwrap().prelu, 0, "max read twice");
    }

    /// Each model with our kernels against the same model on tract's alone, on a real face:
    /// every depthwise convolution and max pool replaced, the outputs the same to rounding.
    #[test]
    fn the_models_answer_the_same_with_our_kernels() {
        let dir = crate::assets_dir();
        let photo = image::open(dir.join("astronaut.png"))
            .expect("astronaut.png (run scripts/fetch-assets.sh)")
            .to_rgb8();
        // (file, input side, NHWC input)
        for (file, side, nhwc) in [
            (crate::MESH_FILE, 192, false),
            (crate::IRIS_FILE, 64, false),
            (crate::MODEL_FILE, 128, true),
        ] {
            let path = dir.join(file);
            let onnx = if nhwc {
                crate::Detector::onnx()
            } else {
                tract_onnx::onnx()
            };
            let shape = if nhwc {
                [1, side, side, 3]
            } else {
                [1, 3, side, side]
            };
            let load = || {
                onnx.model_for_path(&path)
                    .and_then(|m| m.with_input_fact(0, f32::fact(shape).into()))
                    .and_then(|m| m.into_typed())
                    .and_then(|m| m.into_decluttered())
                    .expect("model (run scripts/fetch-assets.sh)")
            };
            let mut ours = load();
            let done = substitute(&mut ours).unwrap();
            assert!(
                done.depthwise >= 14 && done.max_pool >= 3 && (nhwc || done.prelu >= 20),
                "{file}: only {done:?}"
            );
            // Not one of tract's depthwise convolutions, max pools or PReLU chains (their Min)
            // is left in use.
            let ours = ours.into_decluttered().unwrap();
            let left = ours
                .nodes
                .iter()
                .filter(|n| {
                    n.op_is::<MaxPool>()
                        || n.op_as::<Conv>().is_some_and(|c| c.group > 1)
                        || n.op().name() == "Min"
                })
                .map(|n| n.name.clone())
                .collect::<Vec<_>>();
            assert!(left.is_empty(), "{file}: left to tract: {left:?}");
            let ours = ours.into_optimized().unwrap().into_runnable().unwrap();
            let theirs = load().into_optimized().unwrap().into_runnable().unwrap();
            // The face, scaled to the model's input, in the model's layout.
            let small = image::imageops::resize(
                &image::imageops::crop_imm(&photo, 140, 20, 240, 240).to_image(),
                side as u32,
                side as u32,
                image::imageops::FilterType::Triangle,
            );
            let input: Tensor = tract_ndarray::ArrayD::from_shape_fn(&shape[..], |i| {
                let (y, x, c) = if nhwc {
                    (i[1], i[2], i[3])
                } else {
                    (i[2], i[3], i[1])
                };
                small.get_pixel(x as u32, y as u32).0[c] as f32 / 255.0
            })
            .into();
            let a = ours.run(tvec!(input.clone().into_tvalue())).unwrap();
            let b = theirs.run(tvec!(input.into_tvalue())).unwrap();
            assert_eq!(a.len(), b.len());
            for (a, b) in a.iter().zip(&b) {
                let (a, b) = (
                    a.to_plain_array_view::<f32>().unwrap(),
                    b.to_plain_array_view::<f32>().unwrap(),
                );
                assert_eq!(a.shape(), b.shape(), "{file}");
                // Each value to within a thousandth plus 1e-4 of itself (mesh coordinates run
                // to 192, logits to tens).
                let worst = a
                    .iter()
                    .zip(b.iter())
                    .map(|(a, b)| (a - b).abs() - 1e-4 * b.abs())
                    .fold(0.0f32, f32::max);
                assert!(
                    worst <= 1e-3,
                    "{file}: an output differs by {worst} over its bound"
                );
            }
        }
    }
}
