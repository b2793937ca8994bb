# Blender (Cycles) ground truth for the aperture shape: point lights on black, far behind focus, seen
# through a bladed aperture. Used to check that `--blades N --blade-rotation R` draws the same
# polygon, turned the same way, as Blender/Cycles at the same settings.
# Usage: GT_BLADES=5 GT_ROTATION=20 blender -b -P make_bokeh.py -- OUTDIR WIDTH HEIGHT SAMPLES FOCUS
# Writes OUTDIR/pinhole.exr, OUTDIR/depth_0001.exr and OUTDIR/gt_<focus>.exr (50 mm f/2, 36 mm wide).
import bpy, sys, math, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gt_common import new_scene, camera_with_depth
argv = sys.argv[sys.argv.index("--") + 1:]
out, W, H, SPP, FOCUS = argv[0], int(argv[1]), int(argv[2]), int(argv[3]), float(argv[4])
BLADES = int(os.environ.get("GT_BLADES", "5"))
ROTATION = math.radians(float(os.environ.get("GT_ROTATION", "0")))
os.makedirs(out, exist_ok=True)
sc = new_scene(W, H, SPP, (0, 0, 0))
black = bpy.data.materials.new("black"); black.use_nodes = True
black.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (0, 0, 0, 1)
bpy.ops.mesh.primitive_plane_add(size=60, location=(0, 12, 0), rotation=(math.pi / 2, 0, 0))
bpy.context.object.data.materials.append(black)
light = bpy.data.materials.new("light"); light.use_nodes = True
nt = light.node_tree; em = nt.nodes.new("ShaderNodeEmission"); em.inputs["Strength"].default_value = 400.0
nt.links.new(em.outputs[0], nt.nodes["Material Output"].inputs[0])
# Lights at 10 m: the centre, and off-centre toward the right and the top (so a mirror shows).
for x, z in [(0, 0), (1.8, 0), (0, 1.0), (-1.8, -0.8)]:
    bpy.ops.mesh.primitive_uv_sphere_add(radius=0.02, location=(x, 10, z), segments=12, ring_count=8)
    bpy.context.object.data.materials.append(light)
cam, fo = camera_with_depth(sc, out, 50)
cam.data.dof.use_dof = False
sc.render.filepath = os.path.join(out, "pinhole.exr")
bpy.ops.render.render(write_still=True)
fo.mute = True
cam.data.dof.use_dof = True
cam.data.dof.aperture_fstop = 2.0
cam.data.dof.aperture_blades = BLADES
cam.data.dof.aperture_rotation = ROTATION
cam.data.dof.focus_distance = FOCUS
sc.render.filepath = os.path.join(out, f"gt_{FOCUS:.2f}.exr")
bpy.ops.render.render(write_still=True)
