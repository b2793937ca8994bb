#!/usr/bin/env python3
"""Writes the tiny ONNX models the depth-estimation tests use (Tests/Fixtures/depth-models/).

Each stands in for a monocular depth network under RackFocus's model contract (docs/depth.md,
"Depth from RGB alone"): input float32 [1,3,H,W] (sRGB 0-1, ImageNet-normalised), output [1,H,W]
or [1,1,H,W]. Their output is a known linear function of the normalised colour, so the tests can
compute every expected value exactly:

    out = 0.5·R' + 0.25·G' + 0.125·B' + 4        (R' = (R - 0.485) / 0.229, ...)

which lies in about 2.5-5.9 for any colour: positive, so it reads as inverse depth or as metres.

- linear-fixed.onnx     input [1,3,28,42], output [1,1,28,42]
- linear-dynamic.onnx   input [1,3,height,width], output [1,height,width]
- wrong-channels.onnx   input [1,1,28,42] (breaks the contract: one channel)
- wrong-type.onnx       output int64 (breaks the contract)

Needs the `onnx` package (pip install onnx). Run: python3 scripts/make-depth-test-models.py
"""
import os
import sys

import onnx
from onnx import TensorProto, helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "depth-models")
WEIGHTS = [0.5, 0.25, 0.125]
BIAS = 4.0


def conv_model(name, in_shape, out_shape, squeeze=False, cast_int=False, channels=3):
    weight = helper.make_tensor("w", TensorProto.FLOAT, [1, channels, 1, 1], WEIGHTS[:channels])
    bias = helper.make_tensor("b", TensorProto.FLOAT, [1], [BIAS])
    nodes = [helper.make_node("Conv", ["image", "w", "b"], ["conv"])]
    last = "conv"
    if squeeze:
        axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
        nodes.append(helper.make_node("Squeeze", ["conv", "axes"], ["squeezed"]))
        last = "squeezed"
        inits = [weight, bias, axes]
    else:
        inits = [weight, bias]
    out_type = TensorProto.FLOAT
    if cast_int:
        nodes.append(helper.make_node("Cast", [last], ["cast"], to=TensorProto.INT64))
        last = "cast"
        out_type = TensorProto.INT64
    nodes.append(helper.make_node("Identity", [last], ["depth"]))
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("depth", out_type, out_shape)],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="rackfocus-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = os.path.join(OUT, name + ".onnx")
    onnx.save(model, path)
    print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    conv_model("linear-fixed", [1, 3, 28, 42], [1, 1, 28, 42])
    conv_model("linear-dynamic", [1, 3, "height", "width"], [1, "height", "width"], squeeze=True)
    conv_model("wrong-channels", [1, 1, 28, 42], [1, 1, 28, 42], channels=1)
    conv_model("wrong-type", [1, 3, 28, 42], [1, 1, 28, 42], cast_int=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
