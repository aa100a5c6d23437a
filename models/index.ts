/** Registers every built-in neuron and device model. */
import './iaf_psc_delta.js';
import './iaf_psc_exp.js';
import './iaf_psc_alpha.js';
import './iaf_cond_exp.js';
import './dc_generator.js';
import './poisson_generator.js';
import './spike_generator.js';
import './parrot_neuron.js';
import './iaf_psc_delta_ps.js';
import './wta_softmax.js';
import './msn_lif.js';
import './dms_sources.js';
import './von_mises_input.js';
import './stochastic_rate_network.js';
import './constant_rate.js';
import './rate_readout.js';
