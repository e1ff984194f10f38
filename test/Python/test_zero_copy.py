"""Inputs reach the compiled code and results reach Python without copies:
shown by the addresses the runtime saw (Module.last_input_addresses,
last_output_addresses, recorded by the extension at each call)."""

import numpy as np
import torch

from conftest import bert_inputs, random_weights


def test_numpy_inputs_are_not_copied(tiny_bert, rng):
    tiny_bert.bind(random_weights(tiny_bert, rng))
    ids, mask, types = bert_inputs(rng)
    tiny_bert.main(ids, mask, types)
    assert tiny_bert._native.last_input_addresses == [a.ctypes.data for a in (ids, mask, types)]


def test_torch_inputs_are_not_copied(tiny_bert, rng):
    tiny_bert.bind(random_weights(tiny_bert, rng))
    ids, mask, types = (torch.from_numpy(a) for a in bert_inputs(rng))
    tiny_bert.main(input_ids=ids, attention_mask=mask, token_type_ids=types)
    assert tiny_bert._native.last_input_addresses == [t.data_ptr() for t in (ids, mask, types)]


def test_buffer_protocol_inputs_are_not_copied(tiny_bert, rng):
    tiny_bert.bind(random_weights(tiny_bert, rng))
    ids, mask, types = bert_inputs(rng)
    view = memoryview(ids)
    tiny_bert.main(view, mask, types)
    assert tiny_bert._native.last_input_addresses[0] == ids.ctypes.data


def test_non_contiguous_inputs_are_converted(tiny_bert, rng):
    tiny_bert.bind(random_weights(tiny_bert, rng))
    ids, mask, types = bert_inputs(rng, batch=2, seq=16)
    wide = np.repeat(ids, 2, axis=1)[:, ::2]  # a strided view equal to ids
    assert not wide.flags.c_contiguous
    out_strided = tiny_bert.main(wide, mask, types)[0]
    assert tiny_bert._native.last_input_addresses[0] != wide.ctypes.data
    out = tiny_bert.main(ids, mask, types)[0]
    np.testing.assert_array_equal(out_strided, out)


def test_lists_are_converted_to_the_input_dtype(tiny_bert, rng):
    tiny_bert.bind(random_weights(tiny_bert, rng))
    ids, mask, types = bert_inputs(rng, batch=1, seq=4)
    a = tiny_bert.main(ids.tolist(), mask.tolist(), types.tolist())[0]
    b = tiny_bert.main(ids, mask, types)[0]
    np.testing.assert_array_equal(a, b)


def test_results_are_the_runtime_buffers(tiny_bert, rng):
    tiny_bert.bind(random_weights(tiny_bert, rng))
    hidden, pooled = tiny_bert.main(*bert_inputs(rng))
    assert [hidden.ctypes.data, pooled.ctypes.data] == tiny_bert._native.last_output_addresses
    # The arrays own the buffers through a capsule: writable, and alive
    # after the module's next call.
    assert type(hidden.base).__name__ == "PyCapsule"
    assert hidden.flags.writeable and hidden.flags.c_contiguous
    saved = hidden.copy()
    tiny_bert.main(*bert_inputs(rng))
    np.testing.assert_array_equal(hidden, saved)


def test_parameters_bound_from_arrays_are_kept_alive(tiny_bert, rng):
    import gc

    weights = random_weights(tiny_bert, rng)
    ids, mask, types = bert_inputs(rng)
    tiny_bert.bind(weights)
    expected = tiny_bert.main(ids, mask, types)[0].copy()
    tiny_bert.bind({k: v.copy() for k, v in weights.items()})  # temporaries
    gc.collect()
    np.testing.assert_array_equal(tiny_bert.main(ids, mask, types)[0], expected)
