# Blender's Defocus node in its Z-buffer mode (the way it is used), on a pinhole frame and its depth.
# Usage: blender -b -P blender_defocus.py -- PINHOLE.exr DEPTH.exr FOCAL_MM FSTOP FOCUS_M OUT.exr [BLADES ANGLE_DEG]
# DEPTH is the corrected depth coc_radius.py writes for the node f-stop FSTOP, so the node blurs each
# pixel by its thin-lens radius. Its low-quality preview mode is off.
import bpy, sys, os, math
argv = sys.argv[sys.argv.index("--") + 1:]
pinhole, depth, focal, fstop, focus, out = argv[0], argv[1], float(argv[2]), float(argv[3]), float(argv[4]), argv[5]
blades = int(argv[6]) if len(argv) > 6 else 0
angle = float(argv[7]) if len(argv) > 7 else 0.0
bpy.ops.wm.read_factory_settings(use_empty=True)
sc = bpy.context.scene
img = bpy.data.images.load(os.path.abspath(pinhole))
W, H = img.size
sc.render.resolution_x, sc.render.resolution_y, sc.render.resolution_percentage = W, H, 100
sc.view_settings.view_transform = "Standard"
sc.render.image_settings.file_format = "OPEN_EXR"
sc.render.image_settings.color_depth = "32"
bpy.ops.object.camera_add(location=(0, 0, 0))
cam = bpy.context.object; sc.camera = cam
cam.data.lens = focal; cam.data.sensor_fit = "HORIZONTAL"; cam.data.sensor_width = 36
cam.data.dof.focus_distance = focus
sc.use_nodes = True
nt = sc.node_tree
for n in list(nt.nodes): nt.nodes.remove(n)
image = nt.nodes.new("CompositorNodeImage"); image.image = img
zim = nt.nodes.new("CompositorNodeImage"); zim.image = bpy.data.images.load(os.path.abspath(depth))
zim.image.colorspace_settings.name = "Non-Color"
bw = nt.nodes.new("CompositorNodeSeparateColor")
dof = nt.nodes.new("CompositorNodeDefocus")
dof.scene = sc
dof.use_zbuffer = True
dof.f_stop = fstop
dof.blur_max = 200
dof.use_preview = False
dof.bokeh = {0: "CIRCLE", 3: "TRIANGLE", 4: "SQUARE", 5: "PENTAGON", 6: "HEXAGON", 7: "HEPTAGON", 8: "OCTAGON"}[blades]
dof.angle = math.radians(angle)
comp = nt.nodes.new("CompositorNodeComposite")
nt.links.new(image.outputs["Image"], dof.inputs["Image"])
nt.links.new(zim.outputs["Image"], bw.inputs[0])
nt.links.new(bw.outputs[0], dof.inputs["Z"])
nt.links.new(dof.outputs[0], comp.inputs[0])
sc.render.filepath = os.path.abspath(out)
bpy.ops.render.render(write_still=True)
