"""Edit a LiteRT (TFLite) flatbuffer in memory.

The XNNPACK delegate only keeps the tensors a graph lists as outputs, so an
intermediate tensor (such as BirdNET's embedding) is read by listing it as
an extra output of the main subgraph. This is cheap (well under a second
for BirdNET) and, unlike ``experimental_preserve_all_tensors``, leaves the
delegate free to fuse everything else.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["add_graph_outputs", "tensor_names"]

_FILE_IDENTIFIER = b"TFL3"


def tensor_names(model_content: bytes, subgraph: int = 0) -> list[str]:
    """Names of the tensors of one subgraph, in index order."""
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(model_content, 0)
    return [t.name.decode("utf-8") for t in model.subgraphs[subgraph].tensors]


def add_graph_outputs(
    model_content: bytes, names: Sequence[str], *, subgraph: int = 0
) -> bytes:
    """Return the model with tensors ``names`` appended to its outputs.

    Parameters
    ----------
    model_content
        The ``.tflite`` file's bytes.
    names
        Tensor names to expose, in the order they should follow the
        existing outputs. Names already listed as outputs are skipped.
    subgraph
        Index of the subgraph to edit (0 is the main graph).

    Returns
    -------
    bytes
        The rewritten flatbuffer, for ``Interpreter(model_content=...)``.

    Raises
    ------
    KeyError
        If a name is not a tensor of the subgraph.
    """
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(model_content, 0)
    graph = model.subgraphs[subgraph]
    index = {t.name.decode("utf-8"): i for i, t in enumerate(graph.tensors)}
    outputs = [int(i) for i in graph.outputs]
    for name in names:
        if name not in index:
            raise KeyError(f"the model has no tensor named {name!r}")
        if index[name] not in outputs:
            outputs.append(index[name])
    graph.outputs = outputs
    builder = flatbuffers.Builder(len(model_content) + (1 << 16))
    builder.Finish(model.Pack(builder), file_identifier=_FILE_IDENTIFIER)
    return bytes(builder.Output())
