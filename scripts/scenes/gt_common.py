# Shared by the Blender scene generators: render settings, and a thin-lens camera whose first
# render also writes planar Z (metres) to OUTDIR/depth_0001.exr.
import bpy, math


def render_settings(sc, width, height, samples):
    sc.render.engine = "CYCLES"
    sc.cycles.device = "CPU"
    sc.cycles.samples = samples
    sc.cycles.use_denoising = False
    sc.cycles.max_bounces = 2
    sc.render.resolution_x, sc.render.resolution_y = width, height
    sc.render.resolution_percentage = 100
    sc.view_settings.view_transform = "Standard"
    sc.render.image_settings.file_format = "OPEN_EXR"
    sc.render.image_settings.color_depth = "32"
    sc.render.image_settings.exr_codec = "ZIP"
    sc.cycles.pixel_filter_type = "BOX"
    sc.cycles.filter_width = 1.0


def camera_with_depth(sc, out, focal, sensor=36.0):
    """A camera at the origin looking along +y; returns it and the depth output node (mute it after
    the pinhole render)."""
    bpy.ops.object.camera_add(location=(0, 0, 0), rotation=(math.pi / 2, 0, 0))
    cam = bpy.context.object
    sc.camera = cam
    cam.data.lens = focal
    cam.data.sensor_fit = "HORIZONTAL"
    cam.data.sensor_width = sensor
    cam.data.clip_start = 0.05
    cam.data.clip_end = 2000
    sc.view_layers[0].use_pass_z = True
    sc.use_nodes = True
    nt = sc.node_tree
    for n in list(nt.nodes):
        nt.nodes.remove(n)
    rl = nt.nodes.new("CompositorNodeRLayers")
    comp = nt.nodes.new("CompositorNodeComposite")
    nt.links.new(rl.outputs["Image"], comp.inputs[0])
    fo = nt.nodes.new("CompositorNodeOutputFile")
    fo.base_path = out
    fo.format.file_format = "OPEN_EXR"
    fo.format.color_depth = "32"
    fo.file_slots[0].path = "depth_"
    nt.links.new(rl.outputs["Depth"], fo.inputs[0])
    return cam, fo


def new_scene(width, height, samples, background):
    """An empty scene with the render settings and a plain world of colour `background`."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    sc = bpy.context.scene
    render_settings(sc, width, height, samples)
    world = bpy.data.worlds.new("w")
    sc.world = world
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs[0].default_value = (*background, 1)
    return sc
