# Blender (Cycles) ground truth for the lens-blur engine: scene B, unlike the public sample.
# A long lens (default 85 mm f/2), leaves in front of focus crossing the frame's left and bottom
# edges, two subjects at 2.0 and 3.5 m with small lights partly hidden behind their edges, a
# receding floor and a wall at 12 m. GT_BLADES / GT_ROTATION (degrees) give a bladed aperture.
# Usage: GT_FOCAL=85 GT_FSTOP=2 blender -b -P make_scene_b.py -- OUTDIR WIDTH HEIGHT SAMPLES FOCUS1 [...]
# Writes OUTDIR/pinhole.exr, OUTDIR/depth_0001.exr (planar Z, metres), OUTDIR/gt_<focus>.exr.
# Renders stay out of git (they are large); scripts/scenes/README.md says how they are scored.
import bpy, sys, math, os, random
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gt_common import new_scene, camera_with_depth
argv = sys.argv[sys.argv.index("--") + 1:]
out, W, H, SPP = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
focuses = [float(x) for x in argv[4:]]
FSTOP = float(os.environ.get("GT_FSTOP", "2.0"))
FOCAL = float(os.environ.get("GT_FOCAL", "85"))
BLADES = int(os.environ.get("GT_BLADES", "0"))
ROTATION = math.radians(float(os.environ.get("GT_ROTATION", "0")))
SEED = int(os.environ.get("GT_SEED", "11"))
SENSOR = 36.0
os.makedirs(out, exist_ok=True)

sc = new_scene(W, H, SPP, (0.08, 0.07, 0.06))

def mat(name, kind, scale=4.0, c1=(0.8, 0.2, 0.1), c2=(0.1, 0.1, 0.7), emit=0.0):
    m = bpy.data.materials.new(name); m.use_nodes = True
    nt = m.node_tree; bsdf = nt.nodes["Principled BSDF"]
    if kind == "emit":
        em = nt.nodes.new("ShaderNodeEmission"); em.inputs["Color"].default_value = (*c1, 1)
        em.inputs["Strength"].default_value = emit
        nt.links.new(em.outputs[0], nt.nodes["Material Output"].inputs[0])
        return m
    t = {"checker": "ShaderNodeTexChecker", "noise": "ShaderNodeTexNoise", "wave": "ShaderNodeTexWave",
         "voronoi": "ShaderNodeTexVoronoi"}[kind]
    t = nt.nodes.new(t); t.inputs["Scale"].default_value = scale
    if kind == "checker":
        t.inputs["Color1"].default_value = (*c1, 1); t.inputs["Color2"].default_value = (*c2, 1)
        nt.links.new(t.outputs["Color"], bsdf.inputs["Base Color"])
    else:
        ramp = nt.nodes.new("ShaderNodeValToRGB")
        ramp.color_ramp.elements[0].color = (*c1, 1); ramp.color_ramp.elements[1].color = (*c2, 1)
        nt.links.new(t.outputs[0], ramp.inputs[0]); nt.links.new(ramp.outputs[0], bsdf.inputs["Base Color"])
    bsdf.inputs["Roughness"].default_value = 0.7
    return m

def add(obj, m):
    obj.data.materials.append(m); return obj

random.seed(SEED)
# Floor receding from the camera to the wall, and the wall at 12 m.
bpy.ops.mesh.primitive_plane_add(size=40, location=(0, 15, -0.9))
add(bpy.context.object, mat("floor", "checker", scale=50, c1=(0.55, 0.5, 0.45), c2=(0.2, 0.18, 0.16)))
bpy.ops.mesh.primitive_plane_add(size=30, location=(0, 12, 3), rotation=(math.pi / 2, 0, 0))
add(bpy.context.object, mat("wall", "wave", scale=6, c1=(0.25, 0.35, 0.3), c2=(0.7, 0.65, 0.5)))
# Subject 1: a standing figure (a capsule) at 2.0 m, left of centre.
bpy.ops.mesh.primitive_cylinder_add(radius=0.11, depth=1.6, location=(-0.2, 2.0, -0.1), vertices=64)
add(bpy.context.object, mat("figure", "noise", scale=14, c1=(0.85, 0.6, 0.45), c2=(0.3, 0.12, 0.08)))
bpy.ops.mesh.primitive_uv_sphere_add(radius=0.09, location=(-0.2, 2.0, 0.78), segments=48, ring_count=24)
add(bpy.context.object, mat("head", "noise", scale=20, c1=(0.9, 0.7, 0.55), c2=(0.5, 0.3, 0.2)))
# Subject 2: a sphere at 3.5 m, right.
bpy.ops.mesh.primitive_uv_sphere_add(radius=0.22, location=(0.5, 3.5, -0.25), segments=64, ring_count=32)
add(bpy.context.object, mat("ball", "voronoi", scale=8, c1=(0.15, 0.25, 0.8), c2=(0.9, 0.9, 0.95)))
# Lights behind the subjects' edges (partly hidden), and scattered on the wall.
# (edge x and z at the subject's distance d, light distance y: the light sits on the line of sight
# past that edge, a little outside it)
for ex, ez, d, y in [(-0.09, 0.2, 2.0, 6.0), (-0.31, -0.2, 2.0, 7.0), (0.28, -0.25, 3.5, 8.0), (0.72, -0.2, 3.5, 9.0),
                     (-0.11, 0.78, 2.0, 5.0), (0.5, -0.03, 3.5, 10.0)]:
    bpy.ops.mesh.primitive_uv_sphere_add(radius=0.02, location=(ex * y / d, y, ez * y / d), segments=12, ring_count=8)
    add(bpy.context.object, mat(f"l{y}", "emit", c1=(1.0, 0.85, 0.6), emit=80.0))
for i in range(25):
    x = random.uniform(-2.5, 2.5); z = random.uniform(-0.6, 2.0); y = random.uniform(10, 11.8)
    bpy.ops.mesh.primitive_uv_sphere_add(radius=0.03, location=(x, y, z), segments=12, ring_count=8)
    col = random.choice([(1.0, 0.8, 0.4), (0.5, 0.7, 1.0), (1.0, 0.5, 0.4)])
    add(bpy.context.object, mat(f"w{i}", "emit", c1=col, emit=60.0))
# Leaves in front of focus (0.8 to 1.1 m) crossing the left and bottom frame edges.
leaf = mat("leaf", "noise", scale=40, c1=(0.15, 0.4, 0.1), c2=(0.05, 0.15, 0.03))
half = 0.5 * SENSOR / FOCAL  # half the frame width per metre of distance
for i in range(9):
    y = random.uniform(0.8, 1.1)
    if i < 5:  # left edge
        x = -half * y + random.uniform(-0.03, 0.04); z = random.uniform(-0.1, 0.1) * y
    else:  # bottom edge
        x = random.uniform(-0.6, 0.6) * half * y; z = -half * y * 9 / 16 + random.uniform(-0.02, 0.04)
    bpy.ops.mesh.primitive_plane_add(size=1, location=(x, y, z), rotation=(math.pi / 2, random.uniform(-0.6, 0.6), random.uniform(-0.3, 0.3)))
    o = bpy.context.object
    o.scale = (random.uniform(0.03, 0.06), random.uniform(0.012, 0.025), 1)
    add(o, leaf)
bpy.ops.object.light_add(type="SUN", location=(0, 0, 10), rotation=(0.8, -0.3, 0.5))
bpy.context.object.data.energy = 3.0

cam, fo = camera_with_depth(sc, out, FOCAL, SENSOR)

cam.data.dof.use_dof = False
sc.render.filepath = os.path.join(out, "pinhole.exr")
bpy.ops.render.render(write_still=True)
fo.mute = True
cam.data.dof.use_dof = True
cam.data.dof.aperture_fstop = FSTOP
cam.data.dof.aperture_blades = BLADES
cam.data.dof.aperture_rotation = ROTATION
for f in focuses:
    cam.data.dof.focus_distance = f
    sc.render.filepath = os.path.join(out, f"gt_{f:.2f}.exr")
    bpy.ops.render.render(write_still=True)
