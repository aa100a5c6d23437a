/** Registers every built-in neuron and device model. */
import './iaf_psc_delta.js';
import './poisson_generator.js';
import './spike_generator.js';
import './parrot_neuron.js';
