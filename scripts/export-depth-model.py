#!/usr/bin/env python3
"""Exports Depth Anything V2 to ONNX under RackFocus's depth-model contract (docs/depth.md).

    pip install torch transformers            # PyPI; the CPU is enough
    # the weights: Depth Anything V2 Small is Apache-2.0; download them yourself, e.g.
    #   huggingface-cli download depth-anything/Depth-Anything-V2-Small-hf --local-dir da2-small
    python3 scripts/export-depth-model.py --weights da2-small --size 518x924 -o da2-small-518x924.onnx

One fixed input size per aspect ratio (height x width, multiples of 14; 518 on the short side:
518x924 for 16:9, 518x686 for 3:2, 518x518 for square): a dynamic-size export fails at run time.
The model's input is `image` float32 [1,3,H,W] (sRGB 0-1, ImageNet-normalised: RackFocus does that)
and its output `depth` float32 [1,H,W], relative inverse depth (bigger = nearer).

`--random` builds the Small architecture (24.8 M parameters) with random weights instead: for
timing (`scripts/bench-depth-model.sh`), never for depth. Nothing here runs in the tests.
"""
import argparse
import sys


def build(args):
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config

    if args.random:
        torch.manual_seed(0)
        backbone = Dinov2Config(
            hidden_size=384, num_hidden_layers=12, num_attention_heads=6, mlp_ratio=4, patch_size=14,
            image_size=518, out_features=["stage3", "stage6", "stage9", "stage12"],
            reshape_hidden_states=False, layerscale_value=1.0)
        config = DepthAnythingConfig(
            backbone_config=backbone, neck_hidden_sizes=[48, 96, 192, 384], fusion_hidden_size=64,
            head_hidden_size=32, depth_estimation_type="relative")
        model = DepthAnythingForDepthEstimation(config)
    else:
        model = DepthAnythingForDepthEstimation.from_pretrained(args.weights)
    return model.eval()




def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", help="a Hugging Face folder or name of Depth Anything V2 (…-hf)")
    src.add_argument("--random", action="store_true", help="the Small architecture with random weights (timing only)")
    p.add_argument("--size", default="518x924", help="input HEIGHTxWIDTH, multiples of 14 (default 518x924, 16:9)")
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args()
    h, w = (int(v) for v in args.size.lower().split("x"))
    if h % 14 or w % 14:
        sys.exit(f"--size {args.size}: both sides must be multiples of 14 (e.g. 518x924)")
    import torch

    model = build(args)
    params = sum(t.numel() for t in model.parameters())

    class Contract(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, image):
            return self.m(pixel_values=image).predicted_depth  # [1, H, W]

    wrapped = Contract(model).eval()
    dummy = torch.rand(1, 3, h, w)
    with torch.no_grad():
        torch.onnx.export(
            wrapped, (dummy,), args.output, input_names=["image"], output_names=["depth"], opset_version=17,
            dynamo=False)
    print(f"{args.output}: Depth Anything V2 ({'random weights' if args.random else args.weights}), "
          f"{params / 1e6:.1f} M parameters, input [1,3,{h},{w}]")


if __name__ == "__main__":
    main()
